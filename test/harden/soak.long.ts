/**
 * Issue 12, "Done when": the soak test. The flagship's embedded profile (the shipped file,
 * its operator chain and sinks unchanged) runs end to end on generated traffic with faults
 * injected — 1 % of activations and actions malformed, 0.1 % dated a century ahead, 0.1 %
 * of activations delivered twice — and a slow sink on the counts (each batch waits
 * `SLOW_MS`, so back-pressure reaches the sources and checkpoints align behind it), with
 * checkpoints every 2 s. It ends with `sluice validate` clean: the counts equal the DuckDB
 * recomputation from the archive, and conservation holds per stream (read = admitted +
 * undecodable; admitted = the sum of the outcomes; late, dead letters and duplicates
 * recounted from the archive agree with the job's counters). The run is bounded by its
 * event count: 300,000 records, ~20 CPU-s, ~75 s wall of which the slow sink takes ~45 s. A long suite:
 * `npm test` runs it after the unit tests (`node --import tsx --test test/harden/soak.long.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDocument } from 'yaml';
import type { Batch, SinkInstance } from '../../core/api/index.ts';
import { main } from '../../core/cli/main.ts';
import { loadPipeline } from '../../core/cli/pipeline.ts';
import { loadJobConfig } from '../../core/cli/commands/job-config.ts';
import { runSummaryDeclaration, writeRunSummary } from '../../core/cli/commands/run-summary.ts';
import { createJobContainer } from '../../core/runtime/di/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { writeVariant } from '../flagship/pipeline-variant.ts';

const EVENTS = 300_000;
const SLOW_MS = 250;
const TRAFFIC = {
  seed: 20261205,
  users: 20_000,
  malformed_share: 0.01,
  far_future_share: 0.001,
  duplicate_share: 0.001,
};

/** Takes `SLOW_MS` per batch, then discards it; its position is the records written. */
class SlowSink implements SinkInstance {
  records = 0;
  batches = 0;
  async open(position: unknown): Promise<void> {
    this.records = (position as { records?: number } | undefined)?.records ?? 0;
  }
  async write(batch: Batch): Promise<void> {
    await sleep(SLOW_MS);
    this.records += batch.length;
    this.batches++;
  }
  async checkpoint(): Promise<{ records: number }> {
    return { records: this.records };
  }
  async close(): Promise<void> {}
}

const repo = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'sluice-soak-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

void test('soak: the embedded flagship with malformed, far-future and duplicated records and a slow sink ends validated, conservation holding', async (t) => {
  const file = writeVariant(root, { traffic: TRAFFIC });
  // The slow sink: one more consumer of the counts upsert stream (overridden below).
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['sinks', 'slow_counts'], doc.createNode({ input: 'counts', null: {} }));
  writeFileSync(file, doc.toString().replace(/^(\s+)null: \{\}$/m, '$1"null": {}'));

  const runsDir = join(root, 'runs');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>), RUNS_DIR: runsDir, RUN_ID: 'soak', SLUICE_LOG_LEVEL: 'warn',
    SLUICE_JOB_STATE_DIR: join(root, 'state'), SLUICE_CHECKPOINT_INTERVAL: '2s',
  };
  const messages: string[] = [];
  const io = { out: (x: string) => void messages.push(x), err: (x: string) => void messages.push(x), cwd: repo, env };
  const { pipeline } = await loadPipeline(file, 'embedded', io);
  assert.ok(pipeline, messages.join(''));
  const loaded = loadJobConfig(pipeline, [], io);
  assert.ok(typeof loaded !== 'number', messages.join(''));
  const slow = new SlowSink();
  const started = process.cpuUsage();
  const t0 = performance.now();
  const result = await runJob(pipeline, {
    container: createJobContainer(loaded.config, { job: pipeline.name }),
    maxEvents: EVENTS,
    overrides: { sinks: { slow_counts: () => slow } },
  });
  const cpu = process.cpuUsage(started);
  // `stopped` at the event bound: the job drains and takes its final checkpoint as at end of input.
  assert.notEqual(result.status, 'failed', result.error?.message);
  const declared = runSummaryDeclaration(pipeline);
  assert.ok(declared);
  await writeRunSummary(pipeline, result, declared, 'soak', repo);
  const runDir = join(runsDir, 'experiment_analytics', 'soak');
  t.diagnostic(`${result.recordsIn} records in ${((performance.now() - t0) / 1000).toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s), ` +
    `${result.checkpoints.completed} checkpoints, slow sink: ${slow.batches} batches, ${slow.records} records`);

  // `sluice validate`, as a user runs it: exit 0 and OK.
  const out: string[] = [];
  const code = await main(['validate', runDir, '--threads', '1'], { out: (x) => void out.push(x), err: (x) => void out.push(x), cwd: root, env });
  assert.equal(code, 0, out.join(''));
  assert.match(out.join(''), /OK: 0 mismatches, \d+ rows compared/);

  // What validate checked, in detail: conservation per stream, and every injected fault seen.
  const report = await validateRun({ run: runDir, threads: 1 });
  assert.deepEqual(report.mismatches, []);
  assert.deepEqual(report.failures, []);
  assert.ok(report.rowsCompared > 100, `${report.rowsCompared} rows compared`);
  assert.ok(result.checkpoints.completed >= 2, `${result.checkpoints.completed} checkpoints`);
  assert.ok(slow.batches > 0 && slow.records > 0);
  const dead = readFileSync(join(runDir, 'dead_letter.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string });
  const byReason = new Map<string, number>();
  for (const d of dead) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
  t.diagnostic(`dead letters by reason: ${JSON.stringify([...byReason])}`);
  for (const line of report.conservation) {
    t.diagnostic(`${line.role}: archived ${line.archived}, undecodable ${line.undecodable}, reported ${JSON.stringify(line.reported)}`);
  }
  const admittedTraffic = report.conservation.filter((l) => l.role !== 'metadata').reduce((a, l) => a + l.archived + l.undecodable, 0);
  // Expected shares of ~EVENTS traffic records: 1 % malformed, 0.1 % far ahead (binomial; bounds at > 5 SD).
  const near = (n: number, share: number) => n > share * admittedTraffic * 0.6 && n < share * admittedTraffic * 1.4;
  const malformed = [...byReason].filter(([r]) => r !== 'event_time_in_future' && /json|decode|parse/i.test(r)).reduce((a, [, n]) => a + n, 0);
  assert.ok(near(malformed, 0.01), `${malformed} malformed of ${admittedTraffic}`);
  assert.ok(near(byReason.get('event_time_in_future') ?? 0, 0.001), `${byReason.get('event_time_in_future')} far-future of ${admittedTraffic}`);
  const activations = report.conservation.find((l) => l.role === 'activations')!;
  assert.ok((activations.recounted.duplicate ?? 0) > 0, 'duplicates were delivered and counted');
  // The far-future records never moved the watermark: nothing later than them was late for it.
  assert.ok(report.lateShare < 0.01, `late share ${report.lateShare}`);
});
