/**
 * Watermark handling through the whole engine: a scripted source with several partitions,
 * out-of-order records, explicit watermarks and quiet periods on a manual clock, feeding
 * an operator that sends records behind its watermark to the late output. The late and
 * main outputs must equal a naive computation written here: records of poll k are judged
 * against the watermark after poll k − 1 (docs/architecture.md §3: records are judged against the
 * watermark in force before their batch).
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../core/api/index.ts';
import type { SourceChunk } from '../../core/api/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { compileYaml, collection, resetFixtures, scripts } from './fixtures.ts';
import { lateMarker } from './test-operators.ts';

beforeEach(resetFixtures);

type Step = { dt: number; records: { p: string; t: number }[]; explicit?: { p: string; w: number } };

function pipeline(ooo: number, idle: number | undefined) {
  return compileYaml(
    `
name: wm
sources:
  s:
    scripted: { script: s }
    event_time: { max_out_of_orderness: ${ooo}ms${idle === undefined ? '' : `, idle_timeout: ${idle}ms`} }
operators:
  judge:
    input: s
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
late: { collect: { name: late } }
`,
    [lateMarker],
  );
}

/** The naive model: per-partition watermarks and idleness recomputed from history. */
function naiveLate(steps: readonly Step[], ooo: number, idle: number | undefined, declared: readonly string[]): boolean[][] {
  let combined = Number.NEGATIVE_INFINITY;
  let now = 0;
  const seen: { at: number; p: string; t?: number; w?: number }[] = [];
  return steps.map((step) => {
    now += step.dt;
    const judged = step.records.map((r) => r.t < combined);
    for (const r of step.records) seen.push({ at: now, p: r.p, t: r.t });
    if (step.explicit) seen.push({ at: now, p: step.explicit.p, w: step.explicit.w });
    const parts = new Set([...declared, ...seen.map((s) => s.p)]);
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const p of parts) {
      const mine = seen.filter((s) => s.p === p);
      const times = mine.filter((s) => s.t !== undefined);
      let wm = Number.NEGATIVE_INFINITY;
      for (const s of mine) wm = Math.max(wm, s.t !== undefined ? s.t - ooo - 1 : s.w!);
      const last = times.length ? times[times.length - 1]!.at : undefined;
      const first = declared.includes(p) ? 0 : mine[0]!.at;
      const isIdle = idle !== undefined && (last === undefined ? declared.includes(p) || now - first >= idle : now - last >= idle);
      if (isIdle) continue;
      active++;
      min = Math.min(min, wm);
    }
    if (active && min > combined) combined = min;
    return judged;
  });
}

function toChunks(step: Step): SourceChunk[] {
  const byPartition = new Map<string, number[]>();
  for (const r of step.records) {
    let l = byPartition.get(r.p);
    if (!l) byPartition.set(r.p, (l = []));
    l.push(r.t);
  }
  const chunks: SourceChunk[] = [...byPartition].map(([p, ts]) => ({ partition: p, values: ts.map((t) => ({ t, p })), times: ts }));
  if (step.explicit) chunks.push({ partition: step.explicit.p, values: [], watermark: step.explicit.w });
  return chunks;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  dt: fc.integer({ min: 0, max: 80 }),
  records: fc.array(fc.record({ p: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 500 }) }), { maxLength: 5 }),
  explicit: fc.option(fc.record({ p: fc.constantFrom('a', 'b', 'c'), w: fc.integer({ min: 0, max: 500 }) }), { nil: undefined }),
});

async function runSteps(steps: readonly Step[], ooo: number, idle: number | undefined, declared: readonly string[]) {
  const clock = new ManualClock(0);
  let at = 0;
  scripts.set('s', {
    steps: steps.map(toChunks),
    partitions: declared,
    beforePoll: (k) => {
      if (k < steps.length) clock.set((at += steps[k]!.dt));
    },
  });
  const result = await runJob(pipeline(ooo, idle), { clock, logicalClockStep: 0, idlePollMs: 0, checkpoint: { store: null }, batchSize: 1000 });
  assert.equal(result.status, 'finished', result.error?.message);
  return { out: collection('out').rows, late: collection('late').rows };
}

void test('property: late and main outputs equal the naive computation (idle partitions, explicit watermarks)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(stepArb, { maxLength: 25 }),
      fc.integer({ min: 0, max: 40 }),
      fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
      fc.subarray(['a', 'b', 'c']),
      async (steps, ooo, idle, declared) => {
        resetFixtures();
        const { out, late } = await runSteps(steps, ooo, idle, declared);
        const judged = naiveLate(steps, ooo, idle, declared);
        const expectLate: string[] = [];
        const expectOut: string[] = [];
        steps.forEach((s, k) => s.records.forEach((r, i) => (judged[k]![i] ? expectLate : expectOut).push(`${r.p}:${r.t}`)));
        const got = (rows: { value: Record<string, unknown> }[]) => rows.map((r) => `${String(r.value.p)}:${String(r.value.t)}`).sort();
        assert.deepEqual(got(out), expectOut.sort());
        assert.deepEqual(
          got(late.map((r) => ({ value: r.value.record as Record<string, unknown> }))),
          expectLate.sort(),
        );
        for (const r of late) {
          assert.equal(r.value.reason, 'behind_watermark');
          assert.equal(r.value.operator, 'judge');
          assert.ok((r.value.event_time as number) < (r.value.watermark as number));
        }
      },
    ),
    { numRuns: 120 },
  );
});

void test('a partition going idle lets the watermark pass it, so records behind it become late', async () => {
  const steps: Step[] = [
    { dt: 0, records: [{ p: 'a', t: 100 }, { p: 'b', t: 100 }] },
    { dt: 10, records: [{ p: 'a', t: 400 }] },
    { dt: 100, records: [{ p: 'a', t: 500 }] },
    { dt: 10, records: [{ p: 'a', t: 300 }, { p: 'b', t: 150 }] },
  ];
  const { late } = await runSteps(steps, 0, 50, []);
  // After poll 3 (t=110), b has been quiet 110 ms ≥ 50: idle, W = 499. Poll 4's records are behind it.
  assert.deepEqual(late.map((r) => (r.value.record as { t: number }).t).sort(), [150, 300]);
  assert.equal(late[0]!.value.watermark, 499);
});
