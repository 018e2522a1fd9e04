/**
 * Re-keying a stream by fields, shared by the operators that do it (`key_by`, and
 * `repartition` in a whole-job run): the `key` option, its checks, the keyed output stream
 * and the pass-through instance that dead-letters a record without a key value.
 */
import { field, RecordError } from '../../core/api/index.ts';
import type { ConfigIssue, OperatorInstance, OperatorPlan, Row, StreamInfo } from '../../core/api/index.ts';

/** The `key` option: one field or several, a dotted path reaching into nested objects. */
export const keyField = field.union(
  [
    field.string({ doc: 'One field (a dotted path reaches into nested objects).', minLength: 1 }),
    field.array(field.string({ doc: 'A field.', minLength: 1 }), { doc: 'Several fields, in order.', minItems: 1 }),
  ],
  { doc: 'The field or fields the output stream is keyed by; keyed operators downstream group by them.', example: ['experiment_id', 'group'] },
);

/** The key fields of a `key` option value, in order. */
export function keyFields(key: string | readonly string[]): string[] {
  return typeof key === 'string' ? [key] : [...key];
}

/** Config issues of the key fields: a field named twice. */
export function checkKeyFields(fields: readonly string[]): ConfigIssue[] {
  const dupes = fields.filter((f, i) => fields.indexOf(f) !== i);
  return dupes.length ? [{ path: ['key'], severity: 'error', message: `key field '${dupes[0]}' is named twice` }] : [];
}

/** The input stream keyed by `key`; an issue for each key field the input is known not to have. */
export function planKeyed(key: readonly string[], input: StreamInfo): OperatorPlan {
  const issues: ConfigIssue[] = [];
  if (input.fields) {
    for (const k of key) {
      const top = k.split('.')[0]!;
      if (!Object.hasOwn(input.fields, top)) issues.push({ path: ['key'], severity: 'error', message: `key field '${k}' is not a field of the input (known: ${Object.keys(input.fields).join(', ')})` });
    }
  }
  const output = { ...input, key: [...key] };
  return issues.length ? { output, issues } : { output };
}

/** True when the (dotted) path holds a value other than null or undefined. */
function present(row: Row, path: readonly string[]): boolean {
  let value: unknown = row;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}

/** Passes records through unchanged; one without a value for a key field is dead-lettered (`missing_key`). */
export function rekey(key: readonly string[]): OperatorInstance {
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
}
