/**
 * dedupe against a naive computation (oracles/dedupe.ts) over random out-of-order input and
 * watermarks: equal output (in order), equal late output, equal duplicate count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { dedupePlugin } from '../../plugins/operator-dedupe/index.ts';
import { DedupeOracle, type DedupeRecord } from './oracles/dedupe.ts';
import { OracleWatermark } from './oracles/watermarks.ts';
import { absoluteWatermarks, RUNS, steps } from './scenario.ts';

const record: fc.Arbitrary<DedupeRecord> = fc.record({
  value: fc.oneof(
    fc.record({ event_id: fc.constantFrom('a', 'b', 'c', 1, 2) }),
    fc.record({ user: fc.constantFrom('u1', 'u2'), act: fc.constantFrom('x', 'y') }),
  ),
  time: fc.integer({ min: 0, max: 60 }),
});

void test('dedupe equals the naive computation', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
      fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
      steps(record, 1, 30),
      (ooo, lateness, ttl, run) => {
        const config = { fields: ['user', 'act'], out_of_orderness: `${ooo}ms`, allowed_lateness: `${lateness}ms`, ...(ttl === undefined ? {} : { ttl: `${ttl}ms` }) };
        const h = OperatorTestHarness.for(dedupePlugin, config);
        const oracle = new DedupeOracle(['user', 'act'], ttl ?? ooo + lateness, lateness);
        const wm = new OracleWatermark(1);
        for (const step of absoluteWatermarks(run, 1)) {
          if (step.kind === 'push') {
            oracle.batch(step.records, wm.current);
            h.push(step.records);
          } else {
            wm.set(step.at!);
            h.watermark(step.at!);
          }
        }
        h.endOfInput();
        assert.deepEqual(h.output().map((o) => ({ value: o.value, time: o.time })), oracle.output);
        assert.deepEqual(h.late(), oracle.late);
        assert.equal(h.counter('duplicates'), oracle.duplicates);
        assert.equal(h.stateStats().keys, 0, 'end of input expires every id');
      },
    ),
    { numRuns: RUNS },
  );
});
