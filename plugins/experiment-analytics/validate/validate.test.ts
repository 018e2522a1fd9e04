import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, validateRun } from './index.ts';
import type { ValidationReport } from './index.ts';
import { writeRun } from './fixtures.ts';
import type { RunFixture } from './fixtures.ts';
import { GOLDEN_COUNTS, GOLDEN_RUN, L } from './golden.ts';

const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
async function run(f: RunFixture, options: { maxLateShare?: number } = {}): Promise<ValidationReport> {
  const dir = writeRun(f);
  dirs.push(dir);
  return validateRun({ run: dir, threads: 2, ...options });
}
const subjects = (r: ValidationReport) => r.mismatches.map((m) => `${m.check} ${m.subject}: ${m.message}`);

void test('the hand-made run matches its hand-worked counts exactly', async () => {
  const r = await run({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS });
  assert.deepEqual(subjects(r), []);
  assert.deepEqual(r.failures, []);
  assert.equal(r.ok, true);
  assert.equal(r.rowsCompared, 6);
  assert.equal(r.lateClaims, 3);
  assert.deepEqual(r.archived, { activations: 10, actions: 9, metadata: 3 });
  const acts = r.conservation.find((c) => c.role === 'activations')!;
  assert.deepEqual(acts.recounted, { late: 2, dead_lettered: 1, duplicate: 1, untracked_triggers: 1, group_conflicts: 1 });
  assert.equal(r.conservation.find((c) => c.role === 'actions')!.undecodable, 1);
  assert.match(formatReport(r), /OK: 0 mismatches, 6 rows compared/);
});

void test('a wrong count, a missing row and an extra row each fail, all printed', async () => {
  const counts = GOLDEN_COUNTS.filter((c) => !c.row_key.includes('|1|_|')).map((c) => (c.row_key.endsWith('0|click|control') ? { ...c, volume: '3' } : c));
  counts.push({ row_key: `e1|${L}|0|save|control`, volume: '1', propensity: '1', sum_sq: '1' });
  const r = await run({ ...GOLDEN_RUN, counts });
  assert.equal(r.ok, false);
  assert.deepEqual(subjects(r), [
    `counts e1|${L}|0|click|control: volume expected 2, stream 3`,
    `counts e1|${L}|0|save|control: volume expected 0, stream 1, propensity expected 0, stream 1, sum_sq expected 0, stream 1 (row the recomputation does not have)`,
    `counts e1|${L}|1|_|treatment: triggered expected 1, stream 0 (row missing from the stream)`,
  ]);
  assert.match(formatReport(r), /MISMATCH counts .*\n.*MISMATCH counts .*\n.*MISMATCH counts/);
});

void test('late claims are checked: below the watermark, beyond the allowance, reachable, naming a record', async () => {
  const [a7, a9, x8] = GOLDEN_RUN.late;
  const late = [
    { ...a9, reason: 'late' }, // the same claim without the superseding reason is within the allowance
    { ...a7, watermark: L + 2 * 86_400_000 }, // not below its watermark
    { ...x8, watermark: L + 2 * 86_400_000 + 60_000, reason: 'join_bound_passed' }, // within the 10 min allowance
    { ...a7, provenance: { ...a7!.provenance, offset: 42 } }, // names no archived record
  ];
  const r = await run({ ...GOLDEN_RUN, late, counts: GOLDEN_COUNTS });
  const text = subjects(r).join('\n');
  assert.match(text, /late_claim late line 1 .*within the allowed lateness/);
  assert.match(text, /late_claim late line 2 .*is not below the watermark/);
  assert.match(text, /late_claim late line 3 .*within the allowed lateness/);
  assert.match(text, /late_claim late line 4 .*names no archived record/);
  // An unreachable watermark: the late record is the first of its partition.
  const first = { ...GOLDEN_RUN, archive: { ...GOLDEN_RUN.archive, actions: GOLDEN_RUN.archive.actions.map((x, i) => ({ ...x, offset: i === 8 ? -1 : i })) } };
  const r2 = await run({ ...first, late: [a7!, a9!, { ...x8!, provenance: { ...x8!.provenance, offset: -1 } }], counts: GOLDEN_COUNTS });
  assert.match(subjects(r2).join('\n'), /watermark .* was not reachable/);
});

void test('conservation: the job\'s counters must add up and agree with the archive', async () => {
  const sources = {
    ...GOLDEN_RUN.summary.sources,
    activations: { admitted: 10, outcomes: { counted: 5, late: 2, dead_lettered: 1, untracked_triggers: 1, group_conflicts: 1 } },
    actions: { read: 11, admitted: 8, outcomes: { counted: 8 } },
  };
  const r = await run({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS, summary: { ...GOLDEN_RUN.summary, sources } });
  assert.deepEqual(subjects(r).filter((s) => s.startsWith('conservation')), [
    'conservation activations: the archive shows 1 duplicate but the summary reports none',
    'conservation actions: admitted 8, but the archive holds 9',
    'conservation actions: the archive shows 1 late but the summary reports none',
    'conservation actions: read 11 ≠ admitted 8 + undecodable 1',
  ]);
});

void test('zero rows compared, a late share above its bound, or an undrained run fail without mismatches', async () => {
  const empty = await run({ archive: { activations: [], actions: [], metadata: [] }, summary: { sources: {} } });
  assert.deepEqual([empty.ok, empty.mismatches.length, empty.failures], [false, 0, ['zero rows compared']]);
  const share = await run({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS }, { maxLateShare: 0.05 });
  assert.equal(share.ok, false);
  assert.match(share.failures.join(), /late share 13\.636% is above the bound 5\.000%/);
  const undrained = await run({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS, summary: { ...GOLDEN_RUN.summary, drained: false } });
  assert.match(undrained.failures.join(), /did not drain/);
});

void test('metadata that rewrites its ramp history is a mismatch', async () => {
  const [m0, m1, m2] = GOLDEN_RUN.archive.metadata;
  const rewritten = { record: { ...m1!.record, event_id: 'm-1b', ramps: [{ ...m1!.record.ramps[0]!, ts: L + 5 }, m1!.record.ramps[1]!] } };
  const r = await run({ ...GOLDEN_RUN, archive: { ...GOLDEN_RUN.archive, metadata: [m0!, rewritten, m2!] }, counts: GOLDEN_COUNTS });
  assert.match(subjects(r).join('\n'), /metadata metadata e1 \(m-1b\): ramp history .* is not a prefix of the latest/);
});

void test('with no run named, the newest run under the runs folder is validated', async () => {
  const runs = writeRun({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS });
  dirs.push(runs);
  const older = writeRun({ archive: { activations: [], actions: [], metadata: [] } }, join(runs, 'job', 'old'));
  const newer = writeRun({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS }, join(runs, 'job', 'new'));
  utimesSync(join(older, 'summary.json'), new Date(2000, 1, 1), new Date(2000, 1, 1));
  const r = await validateRun({ runsDir: join(runs, 'job'), threads: 2 });
  assert.equal(r.summaryFile, join(newer, 'summary.json'));
  assert.equal(r.ok, true);
});
