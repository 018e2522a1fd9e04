/**
 * `experiment_user_counts` against what it replaces: the built-in `interval_join` as the
 * flagship configured it (where, project), its pairs counted one by one into upsert rows
 * (the counts before the local-global split), over seeded random streams of triggers and
 * actions — disorder, late inputs, triggers after their actions, two experiments with
 * different tracked actions, two epochs each, segments. Per input batch, the counts'
 * compacted upsert stream, the late records and the filtered pairs must be the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import type { Batch, Provenance, Row } from 'sluice/api';
import { OperatorTestHarness, UpsertCompactor, builtinOperator } from 'sluice/testing';
import type { OutputRecord } from 'sluice/testing';
import { EPOCH_MS, countsRowKey } from '../model/index.ts';
import { experimentCounts, experimentUserCounts } from './index.ts';
import { mulberry32 } from '../stats/mulberry32.ts';

const keyedProcess = await builtinOperator('keyed_process');
const intervalJoin = await builtinOperator('interval_join');

const E = 1_767_225_600_000;
const H = 3_600_000;
const D = 24 * H;
const append = { changelog: APPEND_ONLY, allowedLateness: 0 };
const EXPERIMENTS = [
  { id: 'e1', starts: [E, E + 4 * D], actions: { click: 'up_is_good', save: 'up_is_good' } },
  { id: 'e2', starts: [E + D, E + 5 * D], actions: { click: 'up_is_good', view: 'none' } },
];

const joinConfig = {
  key: 'user_id', lower: '0s', upper: '3d', allowed_lateness: '10m',
  where: 'right.ts < left.epoch_end && right.action in left.actions',
  project: { experiment_id: 'left.experiment_id', epoch_start: 'left.epoch_start', segment: 'left.segment', group: 'left.group', user_id: 'left.user_id', action: 'right.action' },
};
const userConfig = { function: experimentUserCounts, key: 'user_id', allowed_lateness: '10m', options: { allowed_lateness: '10m' } };
const countsConfig = { function: experimentCounts, key: ['experiment_id', 'epoch_start', 'segment', 'group'], allowed_lateness: '10m', options: { allowed_lateness: '10m' } };

type Step = { input: 0 | 1; records: { value: Row; time: number; provenance: Provenance }[] } | { watermark: number };

function randomStream(seed: number): Step[] {
  const next = mulberry32(seed);
  const rand = (n: number) => Math.floor(next() * n);
  const triggered = new Set<string>();
  const steps: Step[] = [];
  let clock = E;
  let offset = 0;
  while (clock < E + 9 * D) {
    clock += rand(8) === 0 ? rand(12 * H) : rand(H / 2);
    const input = rand(3) === 0 ? 0 : 1;
    const records: { value: Row; time: number; provenance: Provenance }[] = [];
    for (let i = rand(25); i > 0; i--) {
      const user = `u${rand(12)}`;
      // up to 30 minutes behind the clock (the watermark is clock − 30m), sometimes further: beyond the allowance
      const ts = clock - (rand(6) === 0 ? rand(100) * 60_000 : rand(30 * 60_000));
      const provenance = { source: 'traffic', output: input === 0 ? 'activations' : 'actions', offset: offset++ };
      if (input === 1) {
        records.push({ value: { event_id: `x${offset}`, user_id: user, action: ['click', 'save', 'view'][rand(3)]!, ts }, time: ts, provenance });
        continue;
      }
      const exp = EXPERIMENTS[rand(2)]!;
      const start = exp.starts.find((st) => st <= ts && ts < st + EPOCH_MS);
      if (start === undefined || triggered.has(`${user}|${exp.id}|${start}`)) continue; // one first trigger per user, experiment and epoch
      triggered.add(`${user}|${exp.id}|${start}`);
      records.push({
        value: { event_id: `a${offset}`, user_id: user, experiment_id: exp.id, group: rand(2) ? 'c' : 't', epoch_start: start, epoch_end: start + EPOCH_MS, segment: ts < start + D ? 0 : 1, ts, actions: exp.actions },
        time: ts, provenance,
      });
    }
    if (records.length) steps.push({ input, records });
    if (rand(2)) steps.push({ watermark: clock - 30 * 60_000 });
  }
  steps.push({ watermark: E + 20 * D });
  return steps;
}

/** The join's pairs counted one by one: the upsert row of each pair (the counts before the split). */
class PerPairCounts {
  private readonly rows = new Map<string, { volume: number; propensity: number; sum_sq: number; users: Map<string, number> }>();
  batch(pairs: readonly OutputRecord[]): Batch {
    const values: Row[] = [];
    const kinds: ('insert' | 'update')[] = [];
    for (const { value: v } of pairs) {
      const key = countsRowKey(v.experiment_id as string, v.epoch_start as number, v.segment as number, v.action as string, v.group as string);
      let row = this.rows.get(key);
      kinds.push(row ? 'update' : 'insert');
      if (!row) this.rows.set(key, (row = { volume: 0, propensity: 0, sum_sq: 0, users: new Map() }));
      const n = row.users.get(v.user_id as string) ?? 0;
      row.users.set(v.user_id as string, n + 1);
      row.volume++;
      row.sum_sq += 2 * n + 1;
      if (n === 0) row.propensity++;
      values.push({ row_key: key, volume: row.volume, propensity: row.propensity, sum_sq: row.sum_sq });
    }
    return { length: pairs.length, values, times: pairs.map((r) => r.time), kinds, provenance: pairs.map((r) => r.provenance) };
  }
}

function compact(records: readonly OutputRecord[]): unknown[] {
  const compactor = new UpsertCompactor(['row_key']);
  compactor.add({ length: records.length, values: records.map((r) => r.value), times: records.map((r) => r.time), kinds: records.map((r) => r.kind), provenance: records.map((r) => r.provenance) });
  const out = compactor.take();
  return out.values.map((v, i) => [v.row_key, v.volume, v.propensity, v.sum_sq, out.times[i], out.kinds?.[i] ?? 'insert', out.provenance?.[i]]);
}

const outputsOf = (b: Batch): OutputRecord[] =>
  b.values.map((value, i) => ({ value, time: b.times[i]!, kind: b.kinds?.[i] ?? 'insert', ...(b.provenance?.[i] !== undefined ? { provenance: b.provenance[i] } : {}) }));

for (const seed of [1, 2, 3, 4, 5, 6]) {
  void test(`the same counts, late records and filtered pairs as interval_join + pair-by-pair counts (seed ${seed})`, () => {
    const join = OperatorTestHarness.for(intervalJoin, joinConfig, { inputs: [append, append] });
    const oracle = new PerPairCounts();
    const users = OperatorTestHarness.for(keyedProcess, userConfig, { inputs: [append, append] });
    const counts = OperatorTestHarness.for(keyedProcess, countsConfig, { inputs: [append, append] });
    let joined = 0;
    let forwarded = 0;
    let counted = 0;
    let pairs = 0;
    for (const step of randomStream(seed)) {
      if ('watermark' in step) {
        for (const h of [join, users, counts]) h.watermark(step.watermark);
        continue;
      }
      join.push(step.records, step.input);
      const batchPairs = join.output().slice(joined);
      joined = join.output().length;
      pairs += batchPairs.length;
      const expected = compact(outputsOf(oracle.batch(batchPairs)));
      users.push(step.records, step.input);
      const deltas = users.output().slice(forwarded);
      forwarded = users.output().length;
      if (deltas.length) counts.push(deltas.map((d) => ({ value: d.value, time: d.time, provenance: d.provenance })));
      const got = compact(counts.output().slice(counted).map((r) => ({ ...r, value: { row_key: r.value.row_key, volume: r.value.volume, propensity: r.value.propensity, sum_sq: r.value.sum_sq } })));
      counted = counts.output().length;
      assert.deepEqual(got, expected);
    }
    assert.ok(pairs > 100, `the stream makes pairs (${pairs})`);
    assert.deepEqual(users.late().map((r) => [r.reason, r.event_time, r.watermark, r.record]), join.late().map((r) => [r.reason, r.event_time, r.watermark, r.record]));
    assert.ok(join.late().length > 0, 'some inputs are late');
    assert.equal(users.counter('filtered'), join.counter('filtered'));
    assert.ok(join.counter('filtered') > 0);
    assert.equal(users.backend.table(users.host.id, 'buffers').size, 0, 'every buffer freed at the end');
  });
}
