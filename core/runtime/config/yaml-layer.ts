/**
 * Reads one YAML layer of the runtime config keeping the position of every key and value,
 * so that a bad value is reported at `file:line:col`.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isPair, isScalar, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import type { ConfigLoadIssue } from './origin.ts';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface YamlLayer {
  /** The file as it is shown in messages (relative to the working directory). */
  readonly file: string;
  readonly values: Record<string, unknown>;
  /** Position of each dotted path's key and of its value. */
  readonly keys: ReadonlyMap<string, Position>;
  readonly valuesAt: ReadonlyMap<string, Position>;
  readonly issues: readonly ConfigLoadIssue[];
}

/** Aliases are bounded so that an alias bomb fails instead of eating the memory. */
const MAX_ALIAS_COUNT = 100;

export function readYamlLayer(path: string, shownAs: string): YamlLayer {
  return parseYamlLayer(readFileSync(path, 'utf8'), shownAs);
}

export function parseYamlLayer(text: string, file: string): YamlLayer {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const keys = new Map<string, Position>();
  const valuesAt = new Map<string, Position>();
  const at = (offset: number): Position => lineCounter.linePos(offset);
  const issues: ConfigLoadIssue[] = [];
  for (const error of doc.errors) {
    const pos = at(error.pos[0]);
    issues.push({
      code: 'E_RUNTIME_CONFIG',
      severity: 'error',
      origin: { kind: 'file', file, ...pos },
      configPath: '',
      message: `YAML syntax: ${error.message.split('\n')[0]}`,
    });
  }
  if (issues.length > 0) return { file, values: {}, keys, valuesAt, issues };

  const walk = (node: Node | null | undefined, prefix: string): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = prefix ? `${prefix}.${key}` : key;
      const keyNode = pair.key as Node | null;
      if (keyNode?.range) keys.set(path, at(keyNode.range[0]));
      const value = pair.value as Node | null;
      if (value?.range) valuesAt.set(path, at(value.range[0]));
      walk(value, path);
    }
  };
  walk(doc.contents as Node | null, '');

  let values: unknown;
  try {
    values = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    issues.push({
      code: 'E_RUNTIME_CONFIG',
      severity: 'error',
      origin: { kind: 'file', file, line: 1, col: 1 },
      configPath: '',
      message: `YAML: ${(error as Error).message}`,
    });
    return { file, values: {}, keys, valuesAt, issues };
  }
  if (values === null || values === undefined) values = {};
  if (typeof values !== 'object' || Array.isArray(values)) {
    issues.push({
      code: 'E_RUNTIME_CONFIG',
      severity: 'error',
      origin: { kind: 'file', file, line: 1, col: 1 },
      configPath: '',
      message: 'a runtime config file must be a mapping of sections (job:, checkpoint:, …)',
    });
    return { file, values: {}, keys, valuesAt, issues };
  }
  return { file, values: values as Record<string, unknown>, keys, valuesAt, issues };
}
