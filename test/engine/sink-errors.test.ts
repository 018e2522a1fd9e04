/**
 * Sink error handling (docs/architecture.md §4): transient errors are retried with back-off while
 * the job back-pressures; permanent errors and rejected records are dead-lettered with
 * their provenance; an error of unknown kind that keeps coming fails the job as a plugin
 * failure, with a coded message naming the sink and its place in the pipeline file.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { Logger } from '../../core/api/index.ts';
import { behaviours, collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';

beforeEach(resetFixtures);

const yaml = (deadLetter = true) => `
name: sinks
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
sinks:
  out:
    input: s
    collect: { name: out }
${deadLetter ? 'dead_letter: { collect: { name: dead } }' : ''}
`;

function script(batches: number): void {
  scripts.set('s', {
    steps: Array.from({ length: batches }, (_, k) => [{ partition: 'p', offsets: [k * 2, k * 2 + 1], values: [{ n: k * 2, ts: k }, { n: k * 2 + 1, ts: k }] }]),
  });
}

const fast = { initial: 1, max: 4, unknownErrorAttempts: 3 };

void test('transient errors are retried until the write succeeds; nothing is dead-lettered', async () => {
  script(3);
  behaviours.set('out', { failures: ['transient', 'transient', undefined, 'unknown', undefined] });
  const r = await runJob(compileYaml(yaml()), { checkpoint: { store: null }, sinkRetry: fast });
  assert.equal(r.status, 'finished');
  assert.deepEqual(collection('out').rows.map((x) => x.value.n), [0, 1, 2, 3, 4, 5]);
  assert.equal(collection('dead').rows.length, 0);
});

void test('a permanent error dead-letters the whole batch and the job goes on', async () => {
  script(3);
  behaviours.set('out', { failures: [undefined, 'permanent'] });
  const r = await runJob(compileYaml(yaml()), { checkpoint: { store: null }, sinkRetry: fast });
  assert.equal(r.status, 'finished');
  assert.deepEqual(collection('out').rows.map((x) => x.value.n), [0, 1, 4, 5]);
  const dead = collection('dead').rows.map((x) => x.value);
  assert.equal(dead.length, 2);
  assert.deepEqual(dead[0], { operator: 'out', reason: 'sink_rejected', error: 'never', record: { n: 2, ts: 1 }, provenance: { source: 's', partition: 'p', offset: 2 } });
  assert.equal(r.stages.out!.deadLettered, 2);
});

void test('records the target rejects are dead-lettered one by one', async () => {
  script(2);
  behaviours.set('out', { reject: (v) => v.n === 1 });
  await runJob(compileYaml(yaml()), { checkpoint: { store: null }, sinkRetry: fast });
  assert.deepEqual(collection('out').rows.map((x) => x.value.n), [0, 2, 3]);
  assert.deepEqual(collection('dead').rows.map((x) => [x.value.reason, (x.value.record as { n: number }).n]), [['sink_rejected', 1]]);
});

void test('an error of unknown kind that persists fails the job: E_PLUGIN_FAILED naming the sink and its location', async () => {
  script(2);
  behaviours.set('out', { failures: ['unknown', 'unknown', 'unknown', 'unknown'] });
  const r = await runJob(compileYaml(yaml()), { checkpoint: { store: null }, sinkRetry: fast, restart: { maxAttempts: 0 } });
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 1);
  assert.equal(r.error?.code, 'E_PLUGIN_FAILED');
  assert.match(r.error!.message, /^sink 'out' \(plugin collect\) failed in write \(test\.yaml:\d+:\d+, sinks\.out\): odd$/);
});

void test('without a dead-letter output, rejected records are counted and logged, not dropped silently', async () => {
  script(2);
  behaviours.set('out', { failures: ['permanent'] });
  const warnings: { message: string; attributes: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, attributes) => void warnings.push({ message, attributes }),
    error() {},
    child: () => logger,
  };
  const r = await runJob(compileYaml(yaml(false)), { checkpoint: { store: null }, sinkRetry: fast, logger });
  assert.equal(r.status, 'finished');
  assert.equal(r.stages.out!.deadLettered, 2);
  assert.equal(r.stages.dead_letter!.in, 2);
  assert.ok(warnings.some((w) => /no `dead_letter:` output configured/.test(w.message) && w.attributes?.reason === 'sink_rejected'));
  assert.ok(warnings.some((w) => /unconfigured `dead_letter:` output/.test(w.message) && (w.attributes?.counts as Record<string, number>)['out: sink_rejected'] === 2));
});
