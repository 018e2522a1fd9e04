/**
 * `sluice validate` against the reference job on generated traffic: for random seeds,
 * lateness, ramp schedules, partitions and delays, the SQL recomputation equals the
 * reference's counts, every late claim checks out and conservation holds; a corrupted
 * count, a forged late claim or a lost record fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { writeReferenceRun } from './reference-run.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-ref-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `run-${n++}`);

void test('property: for random traffic the recomputation equals the reference job', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        seed: fc.integer({ min: 1, max: 1_000_000 }),
        partitions: fc.integer({ min: 1, max: 3 }),
        inside_ramp_share: fc.double({ min: 0, max: 1, noNaN: true }),
        reramp_share: fc.double({ min: 0, max: 1, noNaN: true }),
        late_share: fc.double({ min: 0, max: 0.006, noNaN: true }),
        delayed_share: fc.double({ min: 0, max: 0.05, noNaN: true }),
        duplicate_share: fc.double({ min: 0, max: 0.05, noNaN: true }),
        lateness: fc.constantFrom(60_000, 600_000, 1_800_000),
        launch_every: fc.constantFrom('20m', '1h'),
      }),
      async (p) => {
        const config = trafficConfig({
          seed: p.seed, partitions: p.partitions, inside_ramp_share: p.inside_ramp_share, reramp_share: p.reramp_share,
          late_share: p.late_share, delayed_share: p.delayed_share, duplicate_share: p.duplicate_share,
          launch_every: p.launch_every, events: 40_000, event_interval: '20s', users: 3000, malformed_share: 0.002,
        });
        const run = await writeReferenceRun(config, fresh(), { outOfOrderness: 30_000, allowedLateness: p.lateness });
        const report = await validateRun({ run: run.dir, threads: 2, maxLateShare: 0.05 });
        assert.deepEqual(report.mismatches, [], JSON.stringify(p));
        assert.deepEqual(report.failures, []);
        assert.ok(report.rowsCompared > 50, `${report.rowsCompared} rows compared`);
      },
    ),
    { numRuns: 6 },
  );
});

void test('a corrupted count, a forged late claim and a lost record are caught', async () => {
  const run = await writeReferenceRun(trafficConfig({ seed: 77, events: 30_000, event_interval: '20s', users: 2000, late_share: 0.004 }), fresh());
  const clean = await validateRun({ run: run.dir, threads: 2 });
  assert.equal(clean.ok, true, clean.mismatches.map((m) => m.message).join('\n'));
  assert.ok(clean.lateClaims > 0, 'the run has late records');

  const db = new Database(join(run.dir, 'results.sqlite'));
  const row = db.prepare(`SELECT row_key, volume FROM experiment_counts WHERE volume IS NOT NULL ORDER BY row_key LIMIT 1`).get() as { row_key: string; volume: string };
  db.prepare(`UPDATE experiment_counts SET volume = ? WHERE row_key = ?`).run(String(Number(row.volume) + 1), row.row_key);
  db.close();
  const late = readFileSync(join(run.dir, 'late.jsonl'), 'utf8').split('\n')[0]!;
  const forged = JSON.parse(late) as { watermark: number; event_time: number };
  forged.watermark = forged.event_time; // not below its watermark
  appendFileSync(join(run.dir, 'late.jsonl'), JSON.stringify(forged) + '\n');
  const archive = readFileSync(join(run.dir, 'archive', 'actions.jsonl'), 'utf8').split('\n');
  writeFileSync(join(run.dir, 'archive', 'actions.jsonl'), archive.slice(0, 100).concat(archive.slice(101)).join('\n'));

  const broken = await validateRun({ run: run.dir, threads: 2 });
  assert.equal(broken.ok, false);
  const text = broken.mismatches.map((m) => `${m.check} ${m.subject}: ${m.message}`).join('\n');
  assert.match(text, new RegExp(`counts ${row.row_key.replaceAll('|', '\\|')}: volume expected ${row.volume}, stream ${Number(row.volume) + 1}`));
  assert.match(text, /late_claim .*is not below the watermark/);
  assert.match(text, /late_claim .*claimed late 2 times/);
  assert.match(text, /conservation actions: admitted \d+, but the archive holds/);
});
