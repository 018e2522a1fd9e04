import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointManifest } from '../../api/index.ts';
import { taskStart } from './task-start.ts';

const m = (id: number, extra: Partial<CheckpointManifest> = {}): CheckpointManifest => ({ id, job: 'j', createdAt: 0, generation: 1, chunks: [], sources: {}, sinks: {}, runtime: {}, ...extra });

void test('without --from-savepoint a task resumes its latest checkpoint, but stays stopped at a stop savepoint', () => {
  assert.deepEqual(taskStart('task-0', undefined, undefined), { kind: 'resume' });
  assert.deepEqual(taskStart('task-0', m(7), undefined), { kind: 'resume' });
  assert.deepEqual(taskStart('task-0', m(7, { savepoint: { id: 'sp-a' } }), undefined), { kind: 'resume' }, 'a savepoint of a whole job is no stop');
  assert.deepEqual(taskStart('task-0', m(7, { savepoint: { id: 'sp-a', stop: true } }), undefined), { kind: 'stopped', savepoint: 'sp-a' });
});

void test('with --from-savepoint X a task restores X where it stopped, and resumes the run started from X', () => {
  assert.deepEqual(taskStart('task-0', m(7, { savepoint: { id: 'sp-x', stop: true } }), 'sp-x'), { kind: 'savepoint' });
  assert.deepEqual(taskStart('task-0', undefined, 'sp-x'), { kind: 'savepoint' });
  // Another process of the run, or a restart: the run's own progress is kept.
  assert.deepEqual(taskStart('task-0', m(10_009, { from: 'sp-x' }), 'sp-x'), { kind: 'resume' });
});

void test('with --from-savepoint X a task of the run from X that was stopped at Y stays stopped at Y', () => {
  // A process of that run that gets the task after the stop (another one left) must not run it.
  assert.deepEqual(taskStart('x.task-1', m(20_003, { from: 'sp-x', savepoint: { id: 'sp-y', stop: true } }), 'sp-x'), { kind: 'stopped', savepoint: 'sp-y' });
});

void test('a savepoint the task ran on from is refused: its repartition topics hold what came after', () => {
  // The run from X stopped at Y, was restored from Y and ran on.
  assert.throws(() => taskStart('x.task-1', m(30_002, { from: 'sp-y' }), 'sp-x'), (e: Error & { code?: string }) => e.code === 'E_SAVEPOINT' && /x\.task-1: savepoint sp-x .*started from savepoint sp-y/.test(e.message));
  assert.throws(() => taskStart('task-1', m(30_003, { from: 'sp-y', savepoint: { id: 'sp-z', stop: true } }), 'sp-x'), /latest is savepoint sp-z \(checkpoint 30003\)/);
  // A run started from another savepoint, or one that never stopped at X.
  assert.throws(() => taskStart('task-1', m(30_001, { from: 'sp-w' }), 'sp-x'), /started from savepoint sp-w/);
  assert.throws(() => taskStart('task-1', m(5), 'sp-x'), /latest is checkpoint 5, taken after it/);
});
