/** `key_by`: declares the key of a stream; records pass through unchanged. */
import { definePlugin, RecordError } from '../../core/api/index.ts';
import type { ConfigIssue, Row } from '../../core/api/index.ts';
import { keyBySpec, keyFields } from './spec.ts';
import type { KeyByConfig } from './spec.ts';

/** True when the (dotted) path holds a value other than null or undefined. */
function present(row: Row, path: readonly string[]): boolean {
  let value: unknown = row;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}

function check(config: KeyByConfig): ConfigIssue[] {
  const fields = keyFields(config);
  const dupes = fields.filter((f, i) => fields.indexOf(f) !== i);
  return dupes.length ? [{ path: ['key'], severity: 'error', message: `key field '${dupes[0]}' is named twice` }] : [];
}

export const keyByPlugin = definePlugin({
  kind: 'operator',
  name: 'key_by',
  summary: 'Keys a stream by one or more fields; records pass through unchanged.',
  description: [
    'Sets the key of the output stream (`StreamInfo.key`), which keyed operators downstream (`dedupe`, `window_aggregate`, `keyed_process`, …) group by; like Flink\'s `keyBy`, inside one process it is a local re-key, not a network shuffle.',
    'Records, event times, change kinds and provenance pass through unchanged.',
    'A record without a value for a key field is dead-lettered here with reason `missing_key`, so the error names this block.',
    'An upsert input keeps its upsert key.',
  ].join(' '),
  spec: keyBySpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check,
  plan(config, [input]) {
    const key = keyFields(config);
    const issues: ConfigIssue[] = [];
    if (input!.fields) {
      for (const k of key) {
        const top = k.split('.')[0]!;
        if (!Object.hasOwn(input!.fields, top)) issues.push({ path: ['key'], severity: 'error', message: `key field '${k}' is not a field of the input (known: ${Object.keys(input!.fields).join(', ')})` });
      }
    }
    const output = { ...input!, key };
    return issues.length ? { output, issues } : { output };
  },
  create({ config }) {
    const key = keyFields(config);
    const paths = key.map((k) => k.split('.'));
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, kinds, provenance } = batch;
        for (let i = 0; i < batch.length; i++) {
          const row = values[i]!;
          let ok = true;
          for (let p = 0; p < paths.length && ok; p++) ok = present(row, paths[p]!);
          if (!ok) {
            const missing = key.find((_, p) => !present(row, paths[p]!));
            ctx.fail(i, new RecordError('missing_key', `key field '${missing}' is missing`));
            continue;
          }
          ctx.emit(row, times[i]!, kinds?.[i], provenance?.[i]);
        }
      },
    };
  },
});
