/**
 * What the planner can tell about a `map` without running it: which input fields reach
 * the output unchanged, and under which name (`uid: user_id` copies `user_id` as `uid`),
 * so keys, upsert keys and field types survive a map when they can.
 */
import type { MapConfig } from './spec.ts';

const BARE = /^\s*(?:self\.)?([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** The input field an expression copies, when it is just a field name. */
export function copiedField(expr: string): string | undefined {
  return BARE.exec(expr)?.[1];
}

/** Output name of an input field that reaches the output unchanged, or undefined. */
export type FieldMapper = (inputField: string) => string | undefined;

export function fieldMapper(config: MapConfig): FieldMapper {
  const exprs = config.project ?? config.set ?? {};
  const copies = new Map<string, string>();
  for (const [name, expr] of Object.entries(exprs)) {
    const from = copiedField(expr);
    if (from !== undefined && !copies.has(from)) copies.set(from, name);
  }
  const dropped = new Set(config.drop ?? []);
  if (config.project) return (name) => copies.get(name);
  const set = config.set ?? {};
  return (name) => {
    const untouched = !dropped.has(name) && (!Object.hasOwn(set, name) || copiedField(set[name]!) === name);
    if (untouched) return name;
    const copy = copies.get(name);
    return copy !== undefined && !dropped.has(copy) ? copy : undefined;
  };
}

/** Maps a field path (dotted allowed) through the mapper; undefined when it does not survive. */
export function mapPath(path: string, mapper: FieldMapper): string | undefined {
  const dot = path.indexOf('.');
  const top = dot < 0 ? path : path.slice(0, dot);
  const to = mapper(top);
  return to === undefined ? undefined : dot < 0 ? to : to + path.slice(dot);
}
