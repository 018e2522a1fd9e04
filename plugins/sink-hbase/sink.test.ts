import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, ManualClock, TransientSinkError } from '../../core/api/index.ts';
import type { Row } from '../../core/api/index.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { FakeHBaseClient } from '../../lib/hbase-client/fake-client.ts';
import { HBaseSink } from './sink.ts';
import type { HBaseSinkPosition } from './sink.ts';
import { hbaseSinkSpec } from './spec.ts';
import type { HBaseSinkConfig } from './spec.ts';
import { GENERATION_STRIDE } from './versions.ts';

const TABLE = 'experiment_counts';
function config(raw: Record<string, unknown> = {}): HBaseSinkConfig {
  return parseOperatorConfig({ name: 'hbase', spec: hbaseSinkSpec } as never, {
    table: TABLE,
    row_key: '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}',
    columns: { volume: 'volume', propensity: 'propensity', sum_sq: 'sum_sq' },
    version_qualifier: 'version',
    ...raw,
  }) as HBaseSinkConfig;
}
const key = { experiment_id: 'exp_1', epoch_start: 1_700_000_000_000, segment: 0, group: 'control' };
function batch(rows: [Row, ('insert' | 'update' | 'delete')?][]) {
  const b = new BatchBuilder();
  for (const [r, kind] of rows) b.push(r, 0, kind ?? 'insert');
  return b.take();
}
type ReadRow = Record<string, string> & { key: string; ts: number };
async function read(client: FakeHBaseClient): Promise<ReadRow[]> {
  return (await client.scan(TABLE)).map((r) => ({ ...Object.fromEntries(r.cells.map((c) => [c.column, c.value.toString()])), key: r.key, ts: r.cells[0]!.timestamp }) as ReadRow);
}
/** Lets the fake's answered puts settle (they resolve within microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
function sinkOf(client: FakeHBaseClient, cfg = config(), clock = new ManualClock()) {
  return new HBaseSink({ config: cfg, client, clock, expressions: createExpressionCompiler() });
}

void test('coalesces by row key (last change wins), deletes, decimal text cells, the version in every timestamp', async () => {
  const client = new FakeHBaseClient();
  const sink = sinkOf(client);
  await sink.open(undefined);
  assert.ok(client.tables.has(TABLE), 'the table is created');
  const result = await sink.write(batch([
    [{ ...key, action: 'click', volume: 1, propensity: 1, sum_sq: 1 }],
    [{ ...key, action: 'click', volume: 3, propensity: 2, sum_sq: 5 }, 'update'],
    [{ ...key, action: 'save', volume: 1, propensity: 1, sum_sq: 1 }],
    [{ ...key, action: '_', volume: null, propensity: null, sum_sq: 0.25 }],
    [{ ...key, action: 'save' }, 'delete'],
    [{ ...key, action: 'hide', epoch_start: undefined, volume: 1 }],
  ]));
  assert.deepEqual(result?.rejected?.map((r) => [r.index, (r.error as { reason: string }).reason]), [[5, 'row_key_error']]);
  assert.equal(client.calls.putRows, undefined, 'buffered until a flush');
  await sink.close();
  assert.deepEqual(client.putSizes, [2], 'one multi-row put of the coalesced rows');
  const rows = await read(client);
  assert.deepEqual(rows.map(({ ts: _ts, ...r }) => r), [
    { key: 'exp_1|1700000000000|0|_|control', 'c:propensity': '', 'c:sum_sq': '0.25', 'c:version': String(rows[0]!.ts), 'c:volume': '' },
    { key: 'exp_1|1700000000000|0|click|control', 'c:propensity': '2', 'c:sum_sq': '5', 'c:version': String(rows[1]!.ts), 'c:volume': '3' },
  ]);
  assert.ok(rows.every((r) => Math.floor(r.ts / GENERATION_STRIDE) === 1));
  for (const r of await client.scan(TABLE)) assert.ok(r.cells.every((c) => c.timestamp === r.cells[0]!.timestamp), 'one version per row');
});

void test('flushes at flush_rows, in puts of put_rows, at the interval and at each checkpoint', async () => {
  const client = new FakeHBaseClient();
  const clock = new ManualClock();
  const sink = sinkOf(client, config({ flush_rows: 5, put_rows: 2, flush_interval: '10s' }), clock);
  await sink.open(undefined);
  const put = (actions: string[]) => sink.write(batch(actions.map((action) => [{ ...key, action, volume: 1 }])));
  await put(['a', 'b', 'a', 'c', 'd']);
  assert.deepEqual(client.putSizes, []);
  await put(['e']);
  await settle();
  assert.deepEqual(client.putSizes, [2, 2, 1]);
  await put(['f']);
  clock.advance(10_000);
  await put(['g']);
  await settle();
  assert.deepEqual(client.putSizes, [2, 2, 1, 2]);
  await put(['h']);
  assert.deepEqual(await sink.checkpoint(), { generation: 1, sequence: 8 } satisfies HBaseSinkPosition);
  assert.equal((await client.scan(TABLE)).length, 8);
  await sink.close();
});

void test('versions grow across restores: the replay rewrites rows above what any attempt wrote; an older write stays hidden', async () => {
  const client = new FakeHBaseClient();
  const first = sinkOf(client, config({ flush_rows: 1 }));
  await first.open(undefined);
  await first.write(batch([[{ ...key, action: 'click', volume: 1 }]]));
  const position = await first.checkpoint();
  await first.write(batch([[{ ...key, action: 'click', volume: 2 }]]));
  await first.close(); // crashed after writing past the checkpoint
  // A write with an older version (a zombie) does not hide the newer one.
  await client.putRows(TABLE, [{ key: 'exp_1|1700000000000|0|click|control', cells: [{ column: 'c:volume', value: '99', timestamp: 5 }] }]);
  assert.equal((await read(client))[0]!['c:volume'], '2');
  const restored = sinkOf(client, config({ flush_rows: 1 }));
  await restored.open(position);
  await restored.write(batch([[{ ...key, action: 'click', volume: 2 }]]));
  await restored.write(batch([[{ ...key, action: 'click', volume: 3 }]]));
  await restored.close();
  const row = (await read(client))[0]!;
  assert.equal(row['c:volume'], '3');
  assert.equal(Math.floor(row.ts / GENERATION_STRIDE), 2);
  // A fresh start without a position still writes above generation 2.
  const fresh = sinkOf(client, config({ flush_rows: 1 }));
  await fresh.open(undefined);
  assert.equal((await fresh.checkpoint()).generation, 3);
  // A delete hides the row; a later upsert (higher version) shows it again.
  await fresh.write(batch([[{ ...key, action: 'click' }, 'delete']]));
  assert.deepEqual(await read(client), []);
  await fresh.write(batch([[{ ...key, action: 'click', volume: 4 }]]));
  assert.equal((await read(client))[0]!['c:volume'], '4');
  await fresh.close();
});

void test('a failed put throws TransientSinkError from the next write, keeps every row, and the retried write resends it once', async () => {
  const client = new FakeHBaseClient();
  const retries: unknown[] = [];
  const sink = new HBaseSink({ id: 'out', config: config({ flush_rows: 2, put_rows: 1 }), client, clock: new ManualClock(), retries: { add: (n: number, a: unknown) => void retries.push([n, a]) } as never });
  await sink.open(undefined);
  client.failNext(1);
  // The flush goes out in the background; its first put fails.
  await sink.write(batch([[{ ...key, action: 'a', volume: 1 }], [{ ...key, action: 'b', volume: 2 }]]));
  await settle();
  const next = batch([[{ ...key, action: 'c', volume: 3 }]]);
  await assert.rejects(sink.write(next), TransientSinkError);
  // HBase is back: the runtime retries the same batch, which resends the failed put and waits for it.
  await sink.write(next);
  assert.deepEqual(client.putSizes, [1, 1]);
  const rows = await read(client);
  assert.deepEqual(rows.map((r) => [r.key.split('|')[3], r['c:volume']]), [['a', '1'], ['b', '2']]);
  // A checkpoint retries by itself until HBase answers.
  client.failNext(2);
  await sink.checkpoint();
  assert.deepEqual((await read(client)).map((r) => [r.key.split('|')[3], r['c:volume']]), [['a', '1'], ['b', '2'], ['c', '3']]);
  assert.deepEqual(retries, [[1, { operator: 'out' }], [1, { operator: 'out' }], [1, { operator: 'out' }]], 'sluice_sink_retries: one per failed attempt');
  await sink.close();
});

void test('pipelined: write returns while puts are in flight, max_in_flight at a time; back-pressure past flush_rows unacknowledged rows', async () => {
  const client = new FakeHBaseClient();
  const sink = sinkOf(client, config({ flush_rows: 4, put_rows: 1, max_in_flight: 2 }));
  await sink.open(undefined);
  const release = client.hold();
  const put = (actions: string[], volume = 1) => sink.write(batch(actions.map((action) => [{ ...key, action, volume }])));
  await put(['a', 'b', 'c', 'd']);
  await settle();
  assert.deepEqual([client.putSizes.length, client.heldPuts], [2, 2], 'two puts in flight, the other two queued; write returned');
  // The next flush holds two more (one row again, with a newer version): 8 unacknowledged > 4, so write waits.
  let returned = false;
  const second = put(['a', 'e', 'f', 'g'], 2).then(() => (returned = true));
  await settle();
  assert.equal(returned, false, 'write waits while more than flush_rows rows are unacknowledged');
  assert.equal(client.heldPuts, 2, 'never more than max_in_flight requests');
  release();
  await second;
  await sink.checkpoint();
  assert.equal(client.putSizes.length, 8);
  const rows = await read(client);
  assert.deepEqual(rows.map((r) => [r.key.split('|')[3], r['c:volume']]), [['a', '2'], ['b', '1'], ['c', '1'], ['d', '1'], ['e', '2'], ['f', '2'], ['g', '2']]);
  await sink.close();
});

void test('rows of several flushes in flight together end as the last change, whatever order HBase applies them', async () => {
  const client = new FakeHBaseClient();
  const clock = new ManualClock();
  const sink = sinkOf(client, config({ flush_rows: 10, flush_interval: '1s', put_rows: 1, max_in_flight: 4 }), clock);
  await sink.open(undefined);
  await sink.write(batch([[{ ...key, action: 'a', volume: 1 }]]));
  await sink.checkpoint();
  // Three flushes of one row each in flight at once; the delete (not held) lands before the put older than it.
  const release = client.hold();
  for (const [row, kind] of [[{ ...key, action: 'a', volume: 2 }], [{ ...key, action: 'a' }, 'delete'], [{ ...key, action: 'a', volume: 3 }]] as const) {
    clock.advance(1000);
    await sink.write(batch([[row, kind]]));
  }
  await settle();
  assert.equal(client.heldPuts, 2, 'both puts in flight together');
  assert.deepEqual(await read(client), [], 'the delete landed first');
  release();
  await sink.checkpoint();
  assert.deepEqual((await read(client)).map((r) => r['c:volume']), ['3']);
  await sink.close();
});

void test('column values become cell text when sent; an object column is its JSON, and one that cannot be JSON is rejected at write', async () => {
  const client = new FakeHBaseClient();
  const sink = sinkOf(client, config({ columns: { volume: 'volume', detail: 'detail', flag: 'flag' } }));
  await sink.open(undefined);
  const result = await sink.write(batch([
    [{ ...key, action: 'a', volume: 0.1 + 0.2, detail: { n: [1, 2] }, flag: false }],
    [{ ...key, action: 'b', volume: 1, detail: { big: 1n } }],
    [{ ...key, action: 'c', volume: 7n, detail: 'text', flag: true }],
    [{ ...key, action: 'c', volume: 8n, detail: null }, 'update'],
  ]));
  assert.deepEqual(result?.rejected?.map((r) => [r.index, (r.error as { reason: string }).reason]), [[1, 'store_error']]);
  await sink.close();
  assert.deepEqual((await read(client)).map((r) => [r.key.split('|')[3], r['c:volume'], r['c:detail'], r['c:flag']]), [
    ['a', '0.30000000000000004', '{"n":[1,2]}', 'false'],
    ['c', '8', '', ''],
  ]);
});
