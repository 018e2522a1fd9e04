import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '../../api/index.ts';
import { closeInReverse, openInOrder, PluginInitError } from './lifecycle.ts';
import type { Lifecycle } from './lifecycle.ts';

function items(log: string[], failOpen?: string, failClose?: string[]): Lifecycle[] {
  const mk = (id: string, kind: Lifecycle['kind'], line: number): Lifecycle => ({
    id,
    kind,
    location: { file: 'pipelines/x.yaml', line, col: 7, path: `${kind}s.${id}` },
    open: async () => {
      await Promise.resolve();
      if (id === failOpen) throw new Error('connection refused');
      log.push(`open ${id}`);
    },
    close: async () => {
      log.push(`close ${id}`);
      if (failClose?.includes(id)) throw new Error(`${id} stuck`);
    },
  });
  return [mk('orders', 'source', 5), mk('joined', 'operator', 20), mk('results', 'sink', 42), mk('audit', 'sink', 50)];
}

void test('opens in order and closes in reverse', async () => {
  const log: string[] = [];
  const opened = await openInOrder(items(log));
  await closeInReverse(opened);
  assert.deepEqual(log, ['open orders', 'open joined', 'open results', 'open audit', 'close audit', 'close results', 'close joined', 'close orders']);
});

void test('a failed open closes what was opened, in reverse, and names the plugin, its place and the cause', async () => {
  const log: string[] = [];
  const closeErrors: string[] = [];
  await assert.rejects(
    openInOrder(items(log, 'results', ['joined']), (item, error) => closeErrors.push(`${item.id}: ${(error as Error).message}`)),
    (error: unknown) => {
      assert.ok(error instanceof PluginInitError && error instanceof SluiceError);
      assert.equal(error.code, 'E_PLUGIN_INIT');
      assert.equal(error.message, "failed to init sink 'results' (pipelines/x.yaml:42:7, sinks.results): connection refused");
      assert.equal(error.location?.line, 42);
      assert.equal((error.cause as Error).message, 'connection refused');
      return true;
    },
  );
  assert.deepEqual(log, ['open orders', 'open joined', 'close joined', 'close orders']);
  assert.deepEqual(closeErrors, ['joined: joined stuck']);
});

void test('closeInReverse closes every item past failures, then rejects naming the first', async () => {
  const log: string[] = [];
  const all = items(log, undefined, ['audit', 'joined']);
  await assert.rejects(closeInReverse(all), (error: unknown) => {
    assert.ok(error instanceof SluiceError);
    assert.equal(error.code, 'E_PLUGIN_FAILED');
    assert.match(error.message, /^failed to close sink 'audit' \(and 1 more\): audit stuck/);
    assert.ok(error.cause instanceof AggregateError);
    return true;
  });
  assert.deepEqual(log, ['close audit', 'close results', 'close joined', 'close orders']);
});
