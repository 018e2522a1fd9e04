import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../api/index.ts';
import type { JobHandle, JobResult, RunningJob } from '../engine/index.ts';
import { stopTaskWithSavepoint } from './stop-with-savepoint.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

/** A task instance whose attempt reaches the markers after `reachAfter` polls; records what was asked of it. */
function fakeTask(o: { reachAfter?: number; startedFrom?: string; result?: Partial<JobResult> } = {}) {
  const asked: { savepoints: { id?: string; stop?: boolean }[]; cancelled: string[]; polls: number } = { savepoints: [], cancelled: [], polls: 0 };
  const job = {
    startedFrom: () => o.startedFrom,
    savepointReached: () => ++asked.polls > (o.reachAfter ?? 0),
    triggerSavepoint: (x: { id?: string; stop?: boolean }) => {
      asked.savepoints.push(x);
      return Promise.resolve({ id: x.id!, checkpoint: 7, store: 'memory' });
    },
  } as unknown as RunningJob;
  const handle: JobHandle = {
    result: Promise.resolve({ status: 'stopped', exitCode: 0, restarts: 0, checkpoints: { completed: 0, declined: 0, lastId: undefined }, restoredFrom: undefined, recordsIn: 0, stages: {}, ...o.result }),
    current: () => job,
    cancel: (reason) => void asked.cancelled.push(reason),
  };
  return { handle, asked };
}

void test('a first-stage task takes its part of the savepoint at once, marked as a stop, and is cancelled', async () => {
  const { handle, asked } = fakeTask();
  await stopTaskWithSavepoint({ task: 'task-0', handle, downstream: false }, 'sp-a', logger, () => false);
  assert.deepEqual(asked.savepoints, [{ id: 'sp-a', stop: true }]);
  assert.deepEqual(asked.cancelled, ['stopped with savepoint sp-a']);
});

void test('a later-stage task waits until its inputs returned every upstream marker', async () => {
  const { handle, asked } = fakeTask({ reachAfter: 2 });
  await stopTaskWithSavepoint({ task: 'r.task-0', handle, downstream: true }, 'sp-a', logger, () => false);
  assert.equal(asked.polls, 3);
  assert.deepEqual(asked.savepoints, [{ id: 'sp-a', stop: true }]);
});

void test('an old request read again takes nothing: the run started from that savepoint, or the task is stopped at one', async () => {
  const restored = fakeTask({ startedFrom: 'sp-a' });
  await stopTaskWithSavepoint({ task: 'task-0', handle: restored.handle, downstream: false }, 'sp-a', logger, () => false);
  assert.deepEqual([restored.asked.savepoints, restored.asked.cancelled], [[], []]);
  const stopped = fakeTask({ result: { stoppedAt: 'sp-a' } });
  await stopTaskWithSavepoint({ task: 'task-0', handle: stopped.handle, downstream: false }, 'sp-a', logger, () => true);
  assert.deepEqual(stopped.asked.savepoints, []);
  // A task that ended otherwise (moved to another process) leaves the request to its next owner.
  const moved = fakeTask();
  await assert.rejects(stopTaskWithSavepoint({ task: 'task-0', handle: moved.handle, downstream: false }, 'sp-a', logger, () => true), /ended before it took savepoint sp-a/);
});
