/**
 * The `hbase` sink against the real HBase REST server: a job's window counts land as rows
 * equal to the counts computed here; a failed attempt's restart writes above what it left
 * (versions only grow) and the HBase checkpoint store records and restores the job; a
 * delete hides a row; and while HBase is unreachable (a proxy stopped for a while) writes
 * are retried, the source is back-pressured, and nothing is lost.
 */
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchBuilder, ManualClock } from '../../core/api/index.ts';
import type { Logger, Row } from '../../core/api/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { compileYaml, resetFixtures, scripts } from '../engine/fixtures.ts';
import { hbaseSink } from '../../plugins/sink-hbase/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { HBaseSink } from '../../plugins/sink-hbase/sink.ts';
import { hbaseSinkSpec } from '../../plugins/sink-hbase/spec.ts';
import type { HBaseSinkConfig } from '../../plugins/sink-hbase/spec.ts';
import { GENERATION_STRIDE } from '../../plugins/sink-hbase/versions.ts';
import { HBaseCheckpointStore } from '../../plugins/checkpoint-store-hbase/hbase-store.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { dropTables, hbase, TcpProxy, uniqueTable } from './hbase-helpers.ts';

const tables: string[] = [];
after(() => dropTables(tables));
beforeEach(resetFixtures);

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
/** Deterministic events: 8 keys, skewed, over 10 minutes. */
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ k: `k${(i * i) % 8}`, ts: T0 + Math.floor((i * 10 * MINUTE) / n) }));

function expectedCounts(rows: readonly { k: string; ts: number }[]): Map<string, string> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.k}|${String(r.ts - (r.ts % MINUTE)).padStart(13, '0')}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return new Map([...out].map(([k, v]) => [k, String(v)]));
}

async function readCounts(table: string): Promise<Map<string, string>> {
  return new Map((await hbase.scan(table)).map((r) => [r.key, r.cells.find((c) => c.column === 'c:n')!.value.toString()]));
}

function logs(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const logger = { lines, debug: () => undefined, info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function pipeline(table: string, port: number, script: string): string {
  return `
name: hbase_counts
sources:
  events:
    scripted: { script: ${script} }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  counts:
    input: events
    window_aggregate: { key: k, window: { tumbling: 1m }, aggregates: { n: count } }
sinks:
  out:
    input: counts
    hbase:
      port: ${port}
      table: ${table}
      family: c
      row_key: "{k}|{window_start:13}"
      columns: { n: n, window_end: window_end }
      version_qualifier: version
      flush_rows: 1
`;
}

void test('a job writes rows equal to the expected counts; a failed attempt restarts above its versions; the HBase checkpoint store restores it', async () => {
  const table = uniqueTable('it_sink');
  const cpTable = uniqueTable('it_sink_cp');
  tables.push(table, cpTable);
  const data = events(2000);
  let failed = false;
  scripts.set('counts', {
    steps: Array.from({ length: 20 }, (_, s) => [{ partition: 0, values: data.slice(s * 100, s * 100 + 100) }]),
    beforePoll: (step) => {
      if (step === 12 && !failed) {
        failed = true;
        throw new Error('injected failure');
      }
    },
  });
  const store = new HBaseCheckpointStore(hbase, { table: cpTable, job: 'hbase_counts', cellBytes: 1024 * 1024, createTable: true });
  const options = { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 2, initialBackoff: 10, maxBackoff: 10 }, batchSize: 100 };
  const r = await runJob(compileYaml(pipeline(table, 8080, 'counts'), [hbaseSink, windowAggregatePlugin]), { ...options, logger: logs() });
  assert.equal(r.status, 'finished', r.error?.message);
  assert.equal(r.restarts, 1);
  assert.deepEqual(await readCounts(table), expectedCounts(data));
  const rows = await hbase.scan(table);
  for (const row of rows) {
    const ts = row.cells[0]!.timestamp;
    assert.ok(row.cells.every((c) => c.timestamp === ts), 'one version per row');
    assert.equal(row.cells.find((c) => c.column === 'c:version')!.value.toString(), String(ts));
    // The first attempt wrote generation 1 (window firings before the failure); the restart, with no checkpoint, writes above it.
    assert.equal(Math.floor(ts / GENERATION_STRIDE), 2);
  }
  const manifest = await store.latest();
  assert.ok(manifest, 'the final checkpoint is in HBase');
  assert.deepEqual((manifest.sinks.out as { generation: number }).generation, 2);
  // A second run restores the final checkpoint from HBase and has nothing to replay.
  const logger = logs();
  const again = await runJob(compileYaml(pipeline(table, 8080, 'counts'), [hbaseSink, windowAggregatePlugin]), { ...options, logger });
  assert.equal(again.status, 'finished', again.error?.message);
  assert.deepEqual(again.restoredFrom, { id: manifest.id, store: store.describe() });
  assert.ok(logger.lines.some((l) => l.startsWith(`info restoring checkpoint ${manifest.id} from hbase ${cpTable} hbase_counts`)), logger.lines.join('\n'));
  assert.deepEqual(await readCounts(table), expectedCounts(data));
});

void test('a delete hides the row in HBase and a later upsert shows it again', async () => {
  const table = uniqueTable('it_sink_del');
  tables.push(table);
  const config = parseOperatorConfig({ name: 'hbase', spec: hbaseSinkSpec } as never, { table, row_key: '{k}', columns: { n: 'n' } }) as HBaseSinkConfig;
  const sink = new HBaseSink({ config, client: hbase, clock: new ManualClock() });
  await sink.open(undefined);
  const write = async (rows: [Row, 'insert' | 'delete'][]) => {
    const b = new BatchBuilder();
    for (const [row, kind] of rows) b.push(row, 0, kind);
    await sink.write(b.take());
    await sink.checkpoint();
  };
  await write([[{ k: 'a', n: 1 }, 'insert'], [{ k: 'b', n: 1 }, 'insert']]);
  await write([[{ k: 'a', n: 2 }, 'insert'], [{ k: 'b' }, 'delete']]);
  assert.deepEqual(await readCounts(table), new Map([['a', '2']]));
  await write([[{ k: 'b', n: 5 }, 'insert']]);
  assert.deepEqual(await readCounts(table), new Map([['a', '2'], ['b', '5']]));
  await sink.close();
});

void test('while HBase is unreachable the sink retries, the source is back-pressured, and no row is lost', async () => {
  const table = uniqueTable('it_sink_down');
  tables.push(table);
  await hbase.createTable(table, [{ name: 'c' }]);
  const proxy = new TcpProxy();
  await proxy.start();
  const data = events(600);
  let down = false;
  let pollsWhileDown = 0;
  let outage: Promise<void> | undefined;
  scripts.set('outage', {
    steps: Array.from({ length: 60 }, (_, s) => [{ partition: 0, values: data.slice(s * 10, s * 10 + 10) }]),
    beforePoll: async (step) => {
      if (down) pollsWhileDown++;
      if (step === 20 && !outage) {
        down = true;
        await proxy.stop();
        // HBase comes back after a few seconds: the job must have waited, not dropped rows.
        outage = sleep(3000).then(async () => {
          await proxy.start();
          down = false;
        });
      }
    },
  });
  const logger = logs();
  const r = await runJob(compileYaml(pipeline(table, proxy.port, 'outage'), [hbaseSink, windowAggregatePlugin]), {
    checkpoint: { store: null }, batchSize: 10, queueCapacity: 2, logger, sinkRetry: { initial: 50, max: 400 },
  });
  await outage;
  await proxy.stop();
  assert.equal(r.status, 'finished', r.error?.message);
  assert.ok(logger.lines.some((l) => /^warn sink 'out'.*write failed, retrying/.test(l)), logger.lines.join('\n'));
  assert.ok(pollsWhileDown < 12, `the source kept polling while the sink could not write: ${pollsWhileDown} polls`);
  assert.deepEqual(await readCounts(table), expectedCounts(data));
});
