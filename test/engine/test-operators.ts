/**
 * Small operators for engine tests, run through the real operator host:
 * - `late_marker`: passes records on, sends those behind the watermark (ts < W) to the
 *   late output with reason `behind_watermark`;
 * - `tumble_count`: keyed; counts records per key in tumbling event-time windows of
 *   `size` ms with an event-time timer per window; emits `{key, window_end, count}` when
 *   the watermark passes `window_end − 1`; a record for a fired window is late
 *   (`window_closed`); a record whose `fail` field is true is dead-lettered;
 * - `running_sum`: keyed; emits `{k, sum, n}` for every record, an upsert stream keyed by
 *   `k` (`insert` the first time, `update` after; `delete` when a record has `drop: true`);
 *   a record behind the watermark is late (`behind_watermark`).
 */
import { definePlugin, field, RecordError, state } from '../../core/api/index.ts';

export const lateMarker = definePlugin({
  kind: 'operator',
  name: 'late_marker',
  summary: 'Test operator: late when behind the watermark.',
  spec: field.object({}),
  inputs: { min: 1, max: 4 },
  keyed: false,
  plan: (_c, inputs) => ({ output: inputs[0]! }),
  create() {
    return {
      processBatch(batch, _input, ctx) {
        for (let i = 0; i < batch.length; i++) {
          const t = batch.times[i]!;
          if (t < ctx.watermark) ctx.late(batch.values[i]!, t, 'behind_watermark', batch.provenance?.[i]);
          else ctx.emit(batch.values[i]!, t, batch.kinds?.[i] ?? 'insert', batch.provenance?.[i]);
        }
      },
    };
  },
});

export const tumbleCount = definePlugin({
  kind: 'operator',
  name: 'tumble_count',
  summary: 'Test operator: keyed tumbling-window count.',
  spec: field.object({
    key: field.string({ doc: 'Key field.' }),
    size: field.duration({ doc: 'Window size.' }),
  }),
  inputs: { min: 1, max: 1 },
  keyed: true,
  state: () => ({ counts: state.map<number, number>() }),
  plan: (c, [input]) => ({ keys: [[c.key]], output: { changelog: { mode: 'append' }, allowedLateness: input!.allowedLateness, key: [c.key] } }),
  create({ config, state: st }) {
    const size = config.size;
    return {
      processRecord(batch, i, _input, ctx) {
        const value = batch.values[i]!;
        if (value.fail === true) {
          ctx.fail(i, new RecordError('asked_to_fail', 'the record asked to fail'));
          return;
        }
        const t = batch.times[i]!;
        const end = Math.floor(t / size) * size + size;
        if (end - 1 <= ctx.watermark) {
          ctx.late(value, t, 'window_closed', batch.provenance?.[i]);
          return;
        }
        const n = st.counts.get(end);
        if (n === undefined) ctx.timers.registerEventTimeTimer(end - 1);
        st.counts.set(end, (n ?? 0) + 1);
      },
      onTimer(timestamp, key, _domain, ctx) {
        const end = timestamp + 1;
        const n = st.counts.get(end) ?? 0;
        st.counts.delete(end);
        ctx.emit({ key, window_end: end, count: n }, timestamp);
      },
    };
  },
});

export const runningSum = definePlugin({
  kind: 'operator',
  name: 'running_sum',
  summary: 'Test operator: a running sum per key, as an upsert stream.',
  spec: field.object({ key: field.string({ doc: 'Key field.' }) }),
  inputs: { min: 1, max: 1 },
  keyed: true,
  state: () => ({ sum: state.value<{ sum: number; n: number }>() }),
  plan: (c, [input]) => ({ keys: [[c.key]], output: { changelog: { mode: 'upsert', key: ['k'] }, allowedLateness: input!.allowedLateness, key: ['k'] } }),
  create({ state: st }) {
    return {
      processRecord(batch, i, _input, ctx) {
        const value = batch.values[i]!;
        const t = batch.times[i]!;
        if (t < ctx.watermark) {
          ctx.late(value, t, 'behind_watermark', batch.provenance?.[i]);
          return;
        }
        const before = st.sum.get();
        if (value.drop === true) {
          if (before) ctx.emit({ k: batch.keys![i]!, sum: before.sum, n: before.n }, t, 'delete');
          st.sum.clear();
          return;
        }
        const next = { sum: (before?.sum ?? 0) + Number(value.v), n: (before?.n ?? 0) + 1 };
        st.sum.set(next);
        ctx.emit({ k: batch.keys![i]!, ...next }, t, before ? 'update' : 'insert');
      },
    };
  },
});
