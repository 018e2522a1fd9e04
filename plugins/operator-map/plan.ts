/**
 * `map`'s output stream: fields when the input's are known (new fields `dyn`, copies keep
 * their type), the key when every key field survives, and the upsert key likewise — a
 * map that loses an upsert key field is an error, since the stream could no longer be
 * applied by key.
 */
import type { ConfigIssue, FieldType, OperatorPlan, StreamInfo } from '../../core/api/index.ts';
import { copiedField, fieldMapper, mapPath } from './identity.ts';
import type { MapConfig } from './spec.ts';

function outputFields(config: MapConfig, input: StreamInfo): Record<string, FieldType> | undefined {
  const known = input.fields;
  const typeOfExpr = (expr: string): FieldType => {
    const from = copiedField(expr);
    return (from !== undefined && known?.[from]) || 'dyn';
  };
  if (config.project) return Object.fromEntries(Object.entries(config.project).map(([name, expr]) => [name, typeOfExpr(expr)]));
  if (!known) return undefined;
  const dropped = new Set(config.drop ?? []);
  const out: Record<string, FieldType> = {};
  for (const [name, type] of Object.entries(known)) if (!dropped.has(name)) out[name] = type;
  for (const [name, expr] of Object.entries(config.set ?? {})) if (!dropped.has(name)) out[name] = typeOfExpr(expr);
  return out;
}

export function planMap(config: MapConfig, input: StreamInfo): OperatorPlan {
  const mapper = fieldMapper(config);
  const issues: ConfigIssue[] = [];
  const mapKey = (key: readonly string[]) => {
    const mapped = key.map((k) => mapPath(k, mapper));
    return mapped.every((k) => k !== undefined) ? (mapped as string[]) : undefined;
  };
  let changelog = input.changelog;
  if (changelog.mode === 'upsert') {
    const key = mapKey(changelog.key);
    if (key) changelog = { mode: 'upsert', key };
    else {
      const lost = changelog.key.filter((k) => mapPath(k, mapper) === undefined);
      issues.push({
        path: [config.project ? 'project' : 'drop'],
        severity: 'error',
        message: `the input is an upsert stream keyed by [${changelog.key.join(', ')}]; this map loses ${lost.map((k) => `'${k}'`).join(', ')} (keep or copy it unchanged)`,
      });
    }
  }
  const key = input.key ? mapKey(input.key) : undefined;
  const fields = outputFields(config, input);
  const output: StreamInfo = {
    changelog,
    allowedLateness: input.allowedLateness,
    ...(fields ? { fields } : {}),
    ...(key ? { key } : {}),
  };
  return issues.length ? { output, issues } : { output };
}
