import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRun } from './index.ts';
import { writeRun } from './fixtures.ts';
import { GOLDEN_COUNTS, GOLDEN_RUN } from './golden.ts';

const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * The golden run laid out as a job run as tasks: its files and summary in the first stage's
 * task folder, and a second stage's task with no files of its own and zero counters (as the
 * flagship's `counts` stage writes), each summary naming its task and its stage's task count.
 */
function tasksRun(count: number, present: readonly number[]): string {
  const dir = writeRun({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS });
  dirs.push(dir);
  const whole = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  const first = join(dir, 'tasks', 'task-0');
  mkdirSync(first, { recursive: true });
  for (const name of readdirSync(dir)) if (name !== 'tasks') renameSync(join(dir, name), join(first, name));
  writeFileSync(join(first, 'summary.json'), JSON.stringify({ ...whole, task: { id: 'task-0', stage: '', index: 0, count: 1 } }));
  const zero = Object.fromEntries(Object.entries(whole.sources as Record<string, { outcomes: Record<string, number> }>).map(([role, c]) => [role, { admitted: 0, outcomes: Object.fromEntries(Object.keys(c.outcomes).map((k) => [k, 0])) }]));
  for (const index of present) {
    const folder = join(dir, 'tasks', `counts.task-${index}`);
    mkdirSync(folder, { recursive: true });
    const results = whole.results as { jsonl?: string[] };
    const moved = results.jsonl ? { jsonl: results.jsonl.map((p) => join('..', 'task-0', p)) } : results;
    writeFileSync(join(folder, 'summary.json'), JSON.stringify({
      ...whole, task: { id: `counts.task-${index}`, stage: 'counts', index, count },
      archive: { activations: [], actions: [], metadata: [] }, late: [], dead_letter: [], sources: zero, results: moved,
    }));
  }
  return dir;
}

void test('a tasks run is validated as the union of its task folders: the same report as the whole run', async () => {
  const whole = writeRun({ ...GOLDEN_RUN, counts: GOLDEN_COUNTS });
  dirs.push(whole);
  const expected = await validateRun({ run: whole, threads: 2 });
  const r = await validateRun({ run: tasksRun(1, [0]), threads: 2 });
  assert.deepEqual(r.mismatches, []);
  assert.deepEqual(r.failures, []);
  assert.equal(r.ok, true);
  assert.equal(r.rowsCompared, expected.rowsCompared);
  assert.deepEqual(r.archived, expected.archived);
  assert.deepEqual(r.conservation, expected.conservation);
  assert.match(r.summaryFile, /tasks$/);
});

void test('a task with no summary (it did not drain) fails the run, named', async () => {
  const r = await validateRun({ run: tasksRun(2, [0]), threads: 2 });
  assert.equal(r.ok, false);
  assert.ok(r.failures.includes('stage counts: task 1 of 2 has no summary (it did not drain)'), r.failures.join('\n'));
});
