import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EPOCH_MS, EpochIndex, epochOf, segmentsOf } from './index.ts';
import type { Ramp } from './index.ts';

const H = 3_600_000;
const D = 24 * H;
const w = { control: 0.5, treatment: 0.5 };
const ramp = (ts: number, t = 0.5): Ramp => ({ ts, weights: { control: 1 - t, treatment: t } });
const L = 1_700_000_000_000;

void test('before the launch and with no ramps: no epoch', () => {
  assert.equal(epochOf({ ramps: [] }, L), undefined);
  assert.equal(epochOf({ ramps: [ramp(L)] }, L - 1), undefined);
});

void test('the first epoch covers [launch, launch + 3d)', () => {
  const meta = { ramps: [{ ts: L, weights: w }] };
  assert.deepEqual(epochOf(meta, L), { epoch_start: L, epoch_end: L + EPOCH_MS, segment: 0, segment_start: L, weights: w });
  assert.equal(epochOf(meta, L + 3 * D - 1)?.epoch_start, L);
  assert.equal(epochOf(meta, L + 3 * D), undefined, 'the end is exclusive: untracked');
});

void test('a ramp inside the epoch starts a segment; counts stay in the epoch', () => {
  const meta = { ramps: [ramp(L, 0.1), ramp(L + D, 0.5)] };
  assert.equal(epochOf(meta, L + D - 1)?.segment, 0);
  const slot = epochOf(meta, L + D)!;
  assert.deepEqual([slot.epoch_start, slot.segment, slot.segment_start, slot.weights.treatment], [L, 1, L + D, 0.5]);
  assert.equal(epochOf(meta, L + 3 * D), undefined, 'a segment does not extend its epoch');
});

void test('a ramp at exactly start + 3d starts a new epoch; one 1 ms earlier a segment', () => {
  const at = { ramps: [ramp(L), ramp(L + 3 * D, 0.3)] };
  assert.deepEqual([epochOf(at, L + 3 * D)?.epoch_start, epochOf(at, L + 3 * D)?.segment], [L + 3 * D, 0]);
  const before = { ramps: [ramp(L), ramp(L + 3 * D - 1, 0.3)] };
  assert.deepEqual([epochOf(before, L + 3 * D - 1)?.epoch_start, epochOf(before, L + 3 * D - 1)?.segment], [L, 1]);
  assert.equal(epochOf(before, L + 3 * D), undefined);
});

void test('a gap between an epoch end and a late re-ramp is untracked; the re-ramp opens the next epoch', () => {
  const meta = { ramps: [ramp(L), ramp(L + 2 * D, 0.2), ramp(L + 5 * D, 0.5), ramp(L + 6 * D, 0.6), ramp(L + 7 * D, 0.7), ramp(L + 8 * D, 0.8)] };
  assert.equal(epochOf(meta, L + 4 * D), undefined);
  assert.deepEqual(pick(epochOf(meta, L + 5 * D)), [L + 5 * D, 0]);
  assert.deepEqual(pick(epochOf(meta, L + 6 * D)), [L + 5 * D, 1]);
  assert.deepEqual(pick(epochOf(meta, L + 8 * D - 1)), [L + 5 * D, 2]);
  // L + 8d is exactly L + 5d + 3d: a new epoch, not a fourth segment.
  assert.deepEqual(pick(epochOf(meta, L + 8 * D)), [L + 8 * D, 0]);
  assert.deepEqual(
    segmentsOf(meta).map((s) => [(s.epoch_start - L) / D, s.segment, (s.segment_start - L) / D, (s.segment_end - L) / D]),
    [[0, 0, 0, 2], [0, 1, 2, 3], [5, 0, 5, 6], [5, 1, 6, 7], [5, 2, 7, 8], [8, 0, 8, 11]],
  );
});

void test('only ramps at or before ts matter: a prefix of the history answers the same', () => {
  const meta = { ramps: [ramp(L), ramp(L + 4 * D), ramp(L + 5 * D)] };
  const prefix = { ramps: meta.ramps.slice(0, 2) };
  for (const t of [L, L + 4 * D, L + 5 * D - 1]) assert.deepEqual(epochOf(prefix, t), epochOf(meta, t));
});

const pick = (s: ReturnType<typeof epochOf>) => (s ? [s.epoch_start, s.segment] : undefined);

void test('property: EpochIndex.lookup agrees with epochOf, and every slot obeys the rules', () => {
  const history = fc.array(fc.integer({ min: 1, max: 5 * D }), { minLength: 0, maxLength: 12 }).map((gaps) => {
    const ramps: Ramp[] = [ramp(L)];
    for (const g of gaps) ramps.push(ramp(ramps[ramps.length - 1]!.ts + g));
    return ramps;
  });
  fc.assert(
    fc.property(history, fc.array(fc.integer({ min: -D, max: 40 * D }), { minLength: 1, maxLength: 30 }), (ramps, offsets) => {
      const meta = { ramps };
      const index = new EpochIndex(meta);
      for (const off of offsets) {
        const ts = L + off;
        const slot = epochOf(meta, ts);
        assert.deepEqual(pick(index.lookup(ts)), pick(slot));
        if (!slot) continue;
        assert.ok(slot.epoch_start <= slot.segment_start && slot.segment_start <= ts && ts < slot.epoch_start + EPOCH_MS);
        // The epoch start is a ramp, and no ramp between it and ts is 3 days past it.
        assert.ok(ramps.some((r) => r.ts === slot.epoch_start));
        assert.ok(ramps.every((r) => r.ts <= slot.epoch_start || r.ts > ts || r.ts < slot.epoch_start + EPOCH_MS));
        // The segment is the number of ramps inside the epoch up to ts, minus one.
        assert.equal(slot.segment, ramps.filter((r) => r.ts >= slot.epoch_start && r.ts <= ts).length - 1);
      }
    }),
    { numRuns: 300 },
  );
});
