/**
 * interval_join against a naive computation (oracles/interval-join.ts) over random
 * out-of-order input on both sides with per-input watermarks: equal pairs in emission order
 * (with times and both provenances), equal late output, and empty buffers at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { intervalJoinPlugin } from '../../plugins/operator-interval-join/index.ts';
import { IntervalJoinOracle, type JoinRecord } from './oracles/interval-join.ts';
import { OracleWatermark } from './oracles/watermarks.ts';
import { absoluteWatermarks, RUNS, steps } from './scenario.ts';

const raw = fc.record({ k: fc.integer({ min: 1, max: 2 }), time: fc.integer({ min: 0, max: 25 }) });

void test('interval_join equals the naive computation', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -6, max: 4 }),
      fc.integer({ min: 0, max: 6 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      steps(raw, 2, 40),
      (lower, width, lowerInclusive, upperInclusive, lateness, run) => {
        const upper = lower + width;
        fc.pre(width > 0 || (lowerInclusive && upperInclusive));
        const config = {
          key: { left: 'k', right: 'k' }, lower: `${lower}ms`, upper: `${upper}ms`,
          lower_inclusive: lowerInclusive, upper_inclusive: upperInclusive, allowed_lateness: `${lateness}ms`,
        };
        const h = OperatorTestHarness.for(intervalJoinPlugin, config);
        const oracle = new IntervalJoinOracle({ lower, upper, lowerInclusive, upperInclusive, lateness });
        const wm = new OracleWatermark(2);
        let id = 0;
        for (const step of absoluteWatermarks(run, 2)) {
          if (step.kind === 'push') {
            const records: JoinRecord[] = step.records.map((r) => {
              id++;
              return { value: { k: r.k, id }, time: r.time, provenance: { source: step.input === 0 ? 'l' : 'r', offset: id } };
            });
            oracle.batch(records, step.input as 0 | 1, wm.current);
            h.push(records, step.input);
          } else {
            wm.set(step.at!, step.input);
            h.watermark(step.at!, step.input);
          }
        }
        h.endOfInput();
        const got = h.output().map((o) => ({
          left: (o.value.left as { id: number }).id, right: (o.value.right as { id: number }).id, key: o.value.key as number, time: o.time, provenance: o.provenance,
        }));
        assert.deepEqual(got, oracle.output);
        assert.deepEqual(h.late(), oracle.late);
        assert.equal(h.stateStats().keys, 0, 'end of input frees every buffer');
        assert.equal(h.stateStats().timers, 0);
      },
    ),
    { numRuns: RUNS },
  );
});
