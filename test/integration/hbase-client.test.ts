/**
 * The REST `HBaseClient` against the real HBase REST server: multi-row puts read back as
 * written, versions (the newest timestamp wins, an older replay stays hidden), timestamped
 * deletes, checked puts, binary values, and how failures are classified.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRestClient } from '../../lib/hbase-client/rest-client.ts';
import type { HBasePutRow } from '../../lib/hbase-client/client.ts';
import { HBaseError } from '../../lib/hbase-client/client.ts';
import { dropTables, hbase, uniqueTable } from './hbase-helpers.ts';

const tables: string[] = [];
after(() => dropTables(tables));

async function table(families = ['c']): Promise<string> {
  const name = uniqueTable('it_client');
  tables.push(name);
  assert.equal(await hbase.createTable(name, families.map((f) => ({ name: f }))), true);
  assert.equal(await hbase.createTable(name, families.map((f) => ({ name: f }))), false, 'idempotent');
  return name;
}

const text = (rows: Awaited<ReturnType<typeof hbase.scan>>) =>
  rows.map((r) => ({ key: r.key, cells: r.cells.map((c) => [c.column, c.value.toString('utf8'), c.timestamp]) }));

void test('health: REST and cluster versions', async () => {
  const v = await hbase.version();
  assert.match(v.cluster, /^2\./);
});

void test('a multi-row put is read back by scan exactly as written, in key order; prefix and limits apply', async () => {
  const t = await table();
  const rows: HBasePutRow[] = Array.from({ length: 300 }, (_, i) => ({
    key: `exp_${i % 3}|${String(i).padStart(4, '0')}`,
    cells: [{ column: 'c:volume', value: String(i * 2), timestamp: 1000 + i }, { column: 'c:version', value: String(1000 + i), timestamp: 1000 + i }],
  }));
  await hbase.putRows(t, rows);
  const expected = [...rows].sort((a, b) => (a.key < b.key ? -1 : 1)).map((r) => ({ key: r.key, cells: [...r.cells].sort((a, b) => (a.column < b.column ? -1 : 1)).map((c) => [c.column, c.value, c.timestamp]) }));
  assert.deepEqual(text(await hbase.scan(t)), expected);
  assert.deepEqual(text(await hbase.scan(t, { prefix: 'exp_1|' })), expected.filter((r) => r.key.startsWith('exp_1|')));
  assert.equal((await hbase.scan(t, { limit: 7 })).length, 7);
  const keysOnly = await hbase.scan(t, { keysOnly: true, minTimestamp: 1299 });
  assert.deepEqual(keysOnly.map((r) => [r.key, r.cells.map((c) => c.value.byteLength)]), [['exp_2|0299', [0, 0]]]);
  assert.deepEqual(text([(await hbase.getRow(t, 'exp_0|0003'))!]), expected.filter((r) => r.key === 'exp_0|0003'));
  assert.equal(await hbase.getRow(t, 'missing'), undefined);
});

void test('a later update with a higher version is visible; a replay with an older version does not overwrite', async () => {
  const t = await table();
  const put = (value: string, timestamp: number) => hbase.putRows(t, [{ key: 'k', cells: [{ column: 'c:volume', value, timestamp }] }]);
  await put('1', 2 ** 40 + 1);
  await put('2', 2 ** 40 + 2);
  assert.equal((await hbase.getRow(t, 'k'))!.cells[0]!.value.toString(), '2');
  await put('1', 2 ** 40 + 1); // a replay of the first write
  const cell = (await hbase.getRow(t, 'k'))!.cells[0]!;
  assert.deepEqual([cell.value.toString(), cell.timestamp], ['2', 2 ** 40 + 2]);
  // A delete at the row's version hides it; a higher version shows again.
  await hbase.deleteRow(t, 'k', { timestamp: 2 ** 40 + 2, families: ['c'] });
  assert.equal(await hbase.getRow(t, 'k'), undefined);
  await put('3', 2 ** 40 + 3);
  assert.equal((await hbase.getRow(t, 'k'))!.cells[0]!.value.toString(), '3');
  await hbase.deleteRow(t, 'k');
  assert.equal(await hbase.getRow(t, 'k'), undefined);
});

void test('checkAndPut: put-if-absent once, then a compare-and-set that a stale expectation cannot win', async () => {
  const t = await table(['m']);
  assert.equal(await hbase.checkAndPut(t, 'head', [{ column: 'm:id', value: '0001' }], { column: 'm:id' }), true);
  assert.equal(await hbase.checkAndPut(t, 'head', [{ column: 'm:id', value: '0009' }], { column: 'm:id' }), false, 'not absent any more');
  assert.equal(await hbase.checkAndPut(t, 'head', [{ column: 'm:id', value: '0002' }], { column: 'm:id', value: '0001' }), true);
  assert.equal(await hbase.checkAndPut(t, 'head', [{ column: 'm:id', value: '0003' }], { column: 'm:id', value: '0001' }), false, 'stale expectation');
  assert.equal((await hbase.getRow(t, 'head'))!.cells[0]!.value.toString(), '0002');
});

void test('bytes round-trip exactly', async () => {
  const t = await table(['d']);
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 8)) % 256);
  await hbase.putRows(t, [{ key: 'b', cells: [{ column: 'd:v', value: bytes }] }]);
  assert.ok((await hbase.getRow(t, 'b'))!.cells[0]!.value.equals(bytes));
});

void test('connection refused is transient; a missing table is a permanent 404', async () => {
  const dead = createRestClient({ host: '127.0.0.1', port: 1, protocol: 'http', timeoutMs: 2000 });
  await assert.rejects(dead.version(), (e: unknown) => e instanceof HBaseError && e.transient && e.status === undefined);
  await assert.rejects(hbase.putRows(uniqueTable('it_missing'), [{ key: 'k', cells: [{ column: 'c:x', value: '1' }] }]), (e: unknown) => e instanceof HBaseError && !e.transient && e.status === 404);
});
