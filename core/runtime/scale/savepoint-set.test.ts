import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointManifest } from '../../api/index.ts';
import { MemoryCheckpointStore } from '../checkpoint/memory-store.ts';
import { deleteSavepointSet, findSavepointSet, listSavepointSets, requireComplete, taskIds } from './savepoint-set.ts';
import type { TaskStore } from './savepoint-set.ts';

const part = (id: number, savepoint: string | undefined, createdAt = id): CheckpointManifest => ({
  id, job: 'j', createdAt, generation: 1, chunks: [{ name: 'c', bytes: 10 }], sources: {}, sinks: {}, runtime: {},
  ...(savepoint ? { savepoint: { id: savepoint, stop: true } } : {}),
});

/** Two stages of two tasks: `task-0`, `task-1`, `r.task-0`, `r.task-1`. */
function job(): TaskStore[] {
  return taskIds(['', 'r'], 2).map((task) => ({ task, store: new MemoryCheckpointStore(task) }));
}

void test('the task ids of a job: every stage\'s P tasks', () => {
  assert.deepEqual(taskIds(['', 'joined'], 3), ['task-0', 'task-1', 'task-2', 'joined.task-0', 'joined.task-1', 'joined.task-2']);
});

void test('a savepoint is complete only when every task of every stage holds its part', async () => {
  const stores = job();
  for (const [i, t] of stores.entries()) {
    await t.store.commit(part(10 + i, undefined));
    // The last task of the last stage has not taken its part yet (its upstream markers have not all arrived).
    if (i < 3) await t.store.commit(part(20 + i, 'sp-a'));
  }
  const partial = await findSavepointSet(stores, 'sp-a');
  assert.equal(partial.complete, false);
  assert.deepEqual(partial.missing, ['r.task-1']);
  assert.throws(() => requireComplete(partial, 'the store'), (e: Error & { code?: string }) => e.code === 'E_SAVEPOINT' && /incomplete: r\.task-1 hold no part/.test(e.message));
  await stores[3]!.store.commit(part(23, 'sp-a'));
  const whole = await findSavepointSet(stores, 'sp-a');
  assert.equal(whole.complete, true);
  assert.equal(whole.bytes, 40);
  assert.equal(whole.createdAt, 23);
  assert.doesNotThrow(() => requireComplete(whole, 'the store'));
});

void test('an unknown savepoint is refused; a plain checkpoint is no part of one', async () => {
  const stores = job();
  for (const t of stores) await t.store.commit(part(5, undefined));
  const none = await findSavepointSet(stores, 'sp-zz');
  assert.equal(none.parts.size, 0);
  assert.throws(() => requireComplete(none, 'hbase t'), /no savepoint 'sp-zz' in hbase t/);
  await assert.rejects(deleteSavepointSet(stores, 'sp-zz'), /no savepoint 'sp-zz'/);
});

void test('listing groups the parts by savepoint, oldest first, saying which are complete; deleting removes every part', async () => {
  const stores = job();
  for (const [i, t] of stores.entries()) {
    await t.store.commit(part(30 + i, 'sp-old', 100));
    if (i !== 1) await t.store.commit(part(40 + i, 'sp-new', 200));
  }
  const sets = await listSavepointSets(stores);
  assert.deepEqual(sets.map((s) => [s.id, s.complete, s.missing]), [['sp-old', true, []], ['sp-new', false, ['task-1']]]);
  const gone = await deleteSavepointSet(stores, 'sp-old');
  assert.equal(gone.parts.size, 4);
  assert.deepEqual((await listSavepointSets(stores)).map((s) => s.id), ['sp-new']);
  for (const t of stores) assert.equal((await t.store.list!()).some((m) => m.savepoint?.id === 'sp-old'), false);
});

void test('a store that cannot list holds no savepoints Sluice can find', async () => {
  const store = new MemoryCheckpointStore();
  const blind = { ...store, list: undefined, describe: () => 'blind', latest: () => store.latest() } as unknown as MemoryCheckpointStore;
  await assert.rejects(findSavepointSet([{ task: 'task-0', store: blind }], 'sp-a'), /cannot list its checkpoints/);
});
