/**
 * `E_STATE_WITHOUT_CHECKPOINT` (docs/architecture.md §5): a source that finds committed positions
 * while the job has no checkpoint refuses in `open`; the job does not start, does not
 * restart, and reports the code with the block's location and the way out. With a
 * checkpoint the source is opened at its position and the job runs.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field, SluiceError } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { collectSink, collection, compileYaml, resetFixtures, storeWith } from './fixtures.ts';

beforeEach(resetFixtures);

/** Offsets "committed" outside the checkpoint store, as a consumer group keeps them. */
let committed: number | undefined;
let opens = 0;

const offsetsSource = definePlugin({
  kind: 'source',
  name: 'offsets',
  summary: 'Test source: refuses a fresh start when offsets were committed.',
  spec: field.object({}),
  create() {
    let next = 0;
    return {
      open(position: unknown) {
        opens++;
        if (position === undefined && committed !== undefined) {
          return Promise.reject(new SluiceError('E_STATE_WITHOUT_CHECKPOINT', `offset ${committed} is committed but the job has no checkpoint`));
        }
        next = typeof position === 'number' ? position : 0;
        return Promise.resolve();
      },
      poll: () => Promise.resolve(next < 3 ? [{ partition: 0, values: [{ n: next++, ts: next }] }] : null),
      position: () => next,
      onCheckpointComplete(position: unknown) {
        committed = position as number;
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  },
});

const PIPELINE = `name: offsets_job
sources:
  src:
    offsets: {}
    event_time: { field: ts, max_out_of_orderness: 0s }
sinks:
  out:
    input: src
    collect: { name: out }
`;

void test('committed positions without a checkpoint: the job refuses to start, once, with the code and the way out', async () => {
  committed = 7;
  opens = 0;
  const r = await runJob(compileYaml(PIPELINE, [offsetsSource, collectSink]), { restart: { maxAttempts: 3, initialBackoff: 1 }, checkpoint: { store: new MemoryCheckpointStore() } });
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 1);
  assert.equal(r.restarts, 0, 'restarting cannot help');
  assert.equal(opens, 1);
  assert.equal(r.error?.code, 'E_STATE_WITHOUT_CHECKPOINT');
  assert.match(r.error!.message, /failed to init source 'src' \(.*:3:3, sources\.src\): offset 7 is committed but the job has no checkpoint; .*--reset-state/);
});

void test('with a checkpoint the source opens at its position and the job runs', async () => {
  committed = undefined;
  const store = new MemoryCheckpointStore();
  const pipeline = compileYaml(PIPELINE, [offsetsSource, collectSink]);
  const first = await runJob(pipeline, { checkpoint: { store, interval: 0 } });
  assert.equal(first.status, 'finished');
  assert.equal(committed, 3, 'the final checkpoint committed the position');
  const second = await runJob(pipeline, { checkpoint: { store, interval: 0 } });
  assert.equal(second.status, 'finished');
  assert.equal(second.restoredFrom?.id, first.checkpoints.lastId);
  assert.equal(collection('out').rows.length, 3);
});

void test('a checkpoint that appears while a fresh attempt opens (another instance of the task took it and committed its positions): the job restarts once and restores it', async () => {
  committed = undefined;
  const store = new MemoryCheckpointStore();
  const pipeline = compileYaml(PIPELINE, [offsetsSource, collectSink]);
  const first = await runJob(pipeline, { checkpoint: { store, interval: 0 } });
  assert.equal(committed, 3);
  // The next job looks for its restore point before that checkpoint is there (the old owner's
  // hand-off checkpoint commits in between), and opens its source fresh.
  opens = 0;
  const hidden = () => opens === 0;
  const racing = storeWith(store, {
    latest: () => (hidden() ? Promise.resolve(undefined) : store.latest()),
    list: () => (hidden() ? Promise.resolve([]) : store.list!()),
  });
  const second = await runJob(pipeline, { restart: { maxAttempts: 3, initialBackoff: 1 }, checkpoint: { store: racing, interval: 0 } });
  assert.equal(second.status, 'finished', second.error?.message);
  assert.equal(second.restarts, 1);
  assert.equal(opens, 2);
  assert.equal(second.restoredFrom?.id, first.checkpoints.lastId);
  assert.equal(collection('out').rows.length, 3);
});
