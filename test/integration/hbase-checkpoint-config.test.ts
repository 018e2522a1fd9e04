/**
 * `checkpoint.store=hbase` takes its options from the runtime config (`checkpoint.hbase.*`):
 * the job's checkpoints land in the configured table of the real HBase REST server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuntimeConfig } from '../../core/runtime/config/index.ts';
import { createCheckpointStore } from '../../core/runtime/checkpoint/create-store.ts';
import { dropTables, hbase, uniqueTable } from './hbase-helpers.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;

void test('the hbase checkpoint store is created from checkpoint.hbase.* and writes to that table', async () => {
  const table = uniqueTable('ckpt_config');
  try {
    const { config } = loadRuntimeConfig({ sets: ['checkpoint.store=hbase', `checkpoint.hbase.table=${table}`] });
    assert.equal(config.checkpoint.hbase.table, table);
    const store = await createCheckpointStore(config, 'config_probe', silent);
    await store.writeChunk(1, 'state', new TextEncoder().encode('hello'));
    await store.commit({ id: 1, job: 'config_probe', createdAt: 0, generation: 1, chunks: [{ name: 'state', bytes: 5 }], sources: {}, sinks: {}, runtime: {} });
    assert.equal((await store.latest())?.id, 1);
    const rows = await hbase.scan(table, { keysOnly: true });
    assert.ok(rows.some((r) => r.key.startsWith('config_probe|')), `rows in ${table}: ${rows.map((r) => r.key).join(', ')}`);
  } finally {
    await dropTables([table]);
  }
});
