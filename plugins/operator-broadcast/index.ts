/**
 * `broadcast`: joins every main record (input 0) with the side entry (input 1, broadcast:
 * it does not hold back the watermark) effective at the record's event time — Flink's
 * broadcast state, versioned by `effective_from`. A record whose entry is not known yet
 * waits until the watermark reaches ts + max_wait, then goes to the dead-letter output with
 * reason `unknown_<thing>`. Versions are kept for the whole run (side inputs are small:
 * metadata); side and waiting state are snapshotted with the operator.
 */
import { APPEND_ONLY, definePlugin, RecordError } from '../../core/api/index.ts';
import type { FieldType, Row } from '../../core/api/index.ts';
import { broadcastSpec } from './spec.ts';
import { SideState, type SideSnapshot } from './side-state.ts';

const keyOf = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export const broadcastPlugin = definePlugin({
  kind: 'operator',
  name: 'broadcast',
  summary: 'Joins each record with the side-input entry (e.g. experiment metadata) effective at its event time.',
  description:
    'Inputs: [main, side]. The side input is broadcast and does not hold back the watermark. Side records are versions of an ' +
    'entry, effective from `effective_from` (or their event time). A main record gets `{...record, <as>: entry}`; if its entry ' +
    'is unknown it waits up to `max_wait` of event time, then is dead-lettered with reason `unknown_<thing>`.',
  spec: broadcastSpec,
  inputs: { min: 2, max: 2 },
  keyed: false,
  consumesUpserts: false,
  plan(config, [main]) {
    const as = config.as ?? config.thing;
    const fields: Record<string, FieldType> | undefined = main?.fields ? { ...main.fields, [as]: 'map' } : undefined;
    return {
      broadcastInputs: [1],
      output: { ...(fields ? { fields } : {}), ...(main?.key ? { key: main.key } : {}), changelog: APPEND_ONLY, allowedLateness: main?.allowedLateness ?? 0 },
    };
  },
  create({ config }) {
    const side = new SideState(config.before_first === 'earliest');
    const as = config.as ?? config.thing;
    const sideKey = config.side_key ?? config.key;
    const reason = `unknown_${config.thing}`;
    const joined = (v: Row, entry: Row): Row => ({ ...v, [as]: entry });
    const unknown = (key: string, t: number) => new RecordError(reason, `no ${config.thing} '${key}' effective at ${new Date(t).toISOString()}`);
    return {
      processBatch(batch, input, ctx) {
        const { values, times, provenance } = batch;
        let touched: Set<string> | undefined;
        for (let i = 0; i < batch.length; i++) {
          const v = values[i]!;
          const t = times[i]!;
          if (input === 1) {
            const key = keyOf(v[sideKey]);
            if (key === undefined) {
              ctx.fail(i, new RecordError('missing_key', `side record has no '${sideKey}'`));
              continue;
            }
            const fromField = config.effective_from;
            const from = fromField === undefined ? t : timeOf(v[fromField]);
            if (from === undefined) {
              ctx.fail(i, new RecordError('bad_effective_from', `'${fromField}' is not a time: ${JSON.stringify(v[fromField!])}`));
              continue;
            }
            side.put(key, { from, value: v });
            side.sideStarted = true;
            // Resolve waiting records once the whole batch is in: a later version in the same batch may be the one in force.
            (touched ??= new Set()).add(key);
            continue;
          }
          const key = keyOf(v[config.key]);
          if (key === undefined) {
            ctx.fail(i, new RecordError('missing_key', `record has no '${config.key}'`));
            continue;
          }
          const version = side.at(key, t);
          if (version) ctx.emit(joined(v, version.value), t, 'insert', provenance?.[i]);
          else if (t + config.max_wait <= ctx.watermark && (!config.wait_for_side || side.sideStarted)) ctx.fail(i, unknown(key, t));
          else side.wait({ key, t, v, p: provenance?.[i], deadline: t + config.max_wait, done: false });
        }
        if (touched) for (const key of touched) for (const [w, version] of side.resolve(key)) ctx.emit(joined(w.v, version.value), w.t, 'insert', w.p);
      },
      onWatermark(ctx) {
        for (const w of side.expire(ctx.watermark, config.wait_for_side)) ctx.deadLetter(w.v, unknown(w.key, w.t), w.p);
      },
      // Records waiting for their entry hold the watermark, so they are not late downstream when they go on.
      watermarkHold: () => side.earliestWaiting(),
      snapshot: () => side.snapshot(),
      restore: (snapshot) => side.restore(snapshot as SideSnapshot),
    };
  },
});
