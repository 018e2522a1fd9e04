/**
 * The checkpoint store read before the first attempt (its latest checkpoint): a store that
 * fails is asked again with the restarts' back-off (a checkpoint table created a moment ago
 * answers HTTP 410 until its region opens), up to `restart.max_attempts` times; then the
 * job fails with the store's error.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field } from '../../core/api/index.ts';
import type { CheckpointStore } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { collectSink, collection, compileYaml, resetFixtures, storeWith } from './fixtures.ts';

beforeEach(resetFixtures);

const countSource = definePlugin({
  kind: 'source',
  name: 'three',
  summary: 'Test source: three records.',
  spec: field.object({}),
  create() {
    let next = 0;
    return {
      open(position: unknown) {
        next = typeof position === 'number' ? position : 0;
        return Promise.resolve();
      },
      poll: () => Promise.resolve(next < 3 ? [{ partition: 0, values: [{ n: next++, ts: next }] }] : null),
      position: () => next,
      close: () => Promise.resolve(),
    };
  },
});

const PIPELINE = `name: store_at_start
sources:
  src:
    three: {}
    event_time: { field: ts, max_out_of_orderness: 0s }
sinks:
  out:
    input: src
    collect: { name: out }
`;

/** `store` whose `latest` fails the first `failures` times. */
function failingAtFirst(store: CheckpointStore, failures: number): { store: CheckpointStore; calls: () => number } {
  let calls = 0;
  const wrapped = storeWith(store, { latest: () => (++calls <= failures ? Promise.reject(new Error('hbase scan t: HTTP 410: Gone')) : store.latest()) });
  return { store: wrapped, calls: () => calls };
}

void test('a store that fails at first is asked again, and the job runs', async () => {
  const { store, calls } = failingAtFirst(new MemoryCheckpointStore(), 2);
  const r = await runJob(compileYaml(PIPELINE, [countSource, collectSink]), { restart: { maxAttempts: 3, initialBackoff: 1 }, checkpoint: { store, interval: 0 } });
  assert.equal(r.status, 'finished', r.error?.message);
  assert.ok(calls() >= 3);
  assert.equal(collection('out').rows.length, 3);
});

void test('a store that keeps failing fails the job with its error once the restarts are spent', async () => {
  const { store, calls } = failingAtFirst(new MemoryCheckpointStore(), Infinity);
  await assert.rejects(
    runJob(compileYaml(PIPELINE, [countSource, collectSink]), { restart: { maxAttempts: 2, initialBackoff: 1 }, checkpoint: { store, interval: 0 } }),
    /HTTP 410/,
  );
  assert.equal(calls(), 3);
});
