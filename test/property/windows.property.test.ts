/**
 * window_aggregate, every window kind with allowed lateness, against a naive computation
 * (oracles/windows.ts) over random out-of-order input and watermarks, with sizes and times
 * small enough that the 1 ms boundaries (end − 1, end − 1 + lateness) are hit often: equal
 * emitted changelog per upsert key (kind, row, time, in order), equal final upsert table,
 * equal late output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { byUpsertKey, finalTable, WindowOracle, type Emitted, type WindowConfig, type WindowKind, type WindowRow } from './oracles/windows.ts';
import { OracleWatermark } from './oracles/watermarks.ts';
import { absoluteWatermarks, RUNS, steps } from './scenario.ts';

const record = fc.record({
  value: fc.record({ k: fc.constantFrom('a', 'b'), v: fc.integer({ min: -5, max: 5 }) }),
  time: fc.integer({ min: -5, max: 40 }),
});

function windowConfig(kind: WindowKind): fc.Arbitrary<WindowConfig> {
  return fc
    .record({ size: fc.integer({ min: 1, max: 8 }), slideDiv: fc.integer({ min: 1, max: 4 }), offset: fc.integer({ min: -4, max: 4 }), lateness: fc.integer({ min: 0, max: 8 }) })
    .map(({ size, slideDiv, offset, lateness }) => {
      if (kind === 'tumbling') return { kind, size, slide: size, offset, lateness };
      if (kind === 'sliding') return { kind, size, slide: Math.max(1, Math.ceil(size / slideDiv)), offset, lateness };
      if (kind === 'cumulate') return { kind, size: size * slideDiv, slide: size, offset, lateness };
      return { kind, size, slide: 0, offset: 0, lateness };
    });
}

function yamlWindow(c: WindowConfig): unknown {
  switch (c.kind) {
    case 'tumbling':
      return { tumbling: { size: `${c.size}ms`, offset: `${c.offset}ms` } };
    case 'sliding':
      return { sliding: { size: `${c.size}ms`, slide: `${c.slide}ms`, offset: `${c.offset}ms` } };
    case 'cumulate':
      return { cumulate: { step: `${c.slide}ms`, max_size: `${c.size}ms`, offset: `${c.offset}ms` } };
    case 'session':
      return { session: { gap: `${c.size}ms` } };
  }
}

for (const kind of ['tumbling', 'sliding', 'cumulate', 'session'] as const) {
  void test(`${kind} windows with allowed lateness equal the naive computation`, () => {
    fc.assert(
      fc.property(windowConfig(kind), steps(record, 1, 30), (c, run) => {
        const config = { key: 'k', window: yamlWindow(c), allowed_lateness: `${c.lateness}ms`, aggregates: { n: 'count', total: { sum: 'v' }, hi: { max: 'v' } } };
        const h = OperatorTestHarness.for(windowAggregatePlugin, config);
        const oracle = new WindowOracle(c);
        const wm = new OracleWatermark(1);
        for (const step of absoluteWatermarks(run, 1)) {
          if (step.kind === 'push') {
            oracle.batch(step.records, wm.current);
            h.push(step.records);
          } else {
            const before = wm.current;
            if (wm.set(step.at!) > before) oracle.watermark(wm.current);
            h.watermark(step.at!);
          }
        }
        oracle.watermark(Number.POSITIVE_INFINITY);
        h.endOfInput();
        const got: Emitted[] = h.output().map((o) => ({ kind: o.kind, row: o.value as unknown as WindowRow, time: o.time }));
        const cumulate = kind === 'cumulate';
        assert.deepEqual(byUpsertKey(got, cumulate), byUpsertKey(oracle.output, cumulate));
        assert.deepEqual(finalTable(got, cumulate), finalTable(oracle.output, cumulate));
        assert.deepEqual(h.late(), oracle.late);
        assert.equal(h.stateStats().keys, 0, 'end of input drops every window');
      }),
      { numRuns: RUNS },
    );
  });
}
