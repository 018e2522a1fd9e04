/**
 * `dedupe`: passes the first occurrence of each record on and drops the rest, counting them
 * (`duplicates`). A record is identified by its `id_field` (default `event_id`) when it has
 * one, else by `fields`.
 *
 * An id is remembered in keyed state with event-time TTL: while the watermark is ≤ the
 * largest event time it was seen with + `ttl` (the entry expires 1 ms after that bound, so a
 * duplicate with the same event time that is not late is always caught: it has
 * ts ≥ W − allowed_lateness). Records with ts < W − allowed_lateness are late (reason
 * `dedupe_late`). The operator computes its own key (id or fields), so its input need not
 * be keyed; it hands the identities to `ctx.forKeys`, which scopes the state to each.
 */
import { definePlugin, RecordError, state } from '../../core/api/index.ts';
import type { KeyedBatch, KeyVisitor, Row } from '../../core/api/index.ts';
import { dedupeSpec } from './spec.ts';

type Config = { id_field: string; fields?: string[]; out_of_orderness: number; allowed_lateness: number; ttl?: number };

const SEP = '\u001f';

function read(row: Row, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Row)[p];
  }
  return v;
}

const part = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** The record's identity: `#id` or `=field1␟field2…`, so ids and field tuples never collide. */
export function identityOf(config: Config): (row: Row) => string {
  const idField = config.id_field;
  const paths = config.fields?.map((f) => f.split('.'));
  return (row) => {
    const id = row[idField];
    if (id !== undefined && id !== null) return '#' + part(id);
    if (!paths) throw new RecordError('missing_key', `record has no '${idField}' and dedupe names no fields`);
    let key = '=';
    for (let i = 0; i < paths.length; i++) {
      const v = read(row, paths[i]!);
      if (v === undefined || v === null) throw new RecordError('missing_key', `record has no '${idField}' and no '${config.fields![i]}'`);
      key += (i ? SEP : '') + part(v);
    }
    return key;
  };
}

export const ttlOf = (c: Config) => c.ttl ?? c.out_of_orderness + c.allowed_lateness;

export const dedupePlugin = definePlugin({
  kind: 'operator',
  name: 'dedupe',
  summary: 'Drops repeated records (same event id, or same fields) seen within a TTL of event time.',
  description:
    'Emits the first occurrence of each record. Identity: `id_field` when present, else `fields`. Seen identities are kept in ' +
    'keyed state with event-time TTL (default out_of_orderness + allowed_lateness). Counts `duplicates`; late records ' +
    '(ts < watermark − allowed_lateness) go to the late output with reason `dedupe_late`.',
  spec: dedupeSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  consumesUpserts: false,
  state: (config) => ({ seen: state.value<1>({ ttl: { ms: ttlOf(config) + 1, on: 'event' } }) }),
  plan(config, [input]) {
    const upstream = input?.allowedLateness ?? 0;
    return {
      output: { ...input!, allowedLateness: Math.max(upstream, config.allowed_lateness) },
      issues: config.allowed_lateness < upstream
        ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than the input's (${upstream} ms)` }]
        : [],
    };
  },
  create({ config, state: s }) {
    const identity = identityOf(config);
    const lateness = config.allowed_lateness;
    let current: KeyedBatch | undefined;
    // Runs with the record's identity as the current key and its event time as the current time.
    const visit: KeyVisitor = (i, ctx) => {
      const { values, times, provenance } = current!;
      const seen = s.seen.get() !== undefined;
      s.seen.set(1); // refreshes the expiry to the largest event time seen
      if (seen) ctx.count('duplicates');
      else ctx.emit(values[i]!, times[i]!, 'insert', provenance?.[i]);
    };
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, provenance } = batch;
        const lateBefore = ctx.watermark - lateness;
        const ids = new Array<string | undefined>(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const t = times[i]!;
          if (t < lateBefore) {
            ctx.late(values[i]!, t, 'dedupe_late', provenance?.[i]);
            continue;
          }
          try {
            ids[i] = identity(values[i]!);
          } catch (error) {
            ctx.fail(i, error);
          }
        }
        current = batch;
        try {
          ctx.forKeys(ids, times, visit);
        } finally {
          current = undefined;
        }
      },
    };
  },
});
