/**
 * A JSONL file with out-of-order, late and malformed lines through file → route →
 * interval_join → file, with late and dead-letter files. The expected output, late and
 * dead-letter files are written out by hand below, with the reasoning for each line.
 *
 * Batches of two lines (`batch_size: 2`) make the watermark advance line by line:
 * max_out_of_orderness 1 s, so after a batch W = max_ts − 1001. The join's watermark is
 * the minimum of its two inputs (orders and payments, both routed from the one file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../core/runtime/engine/index.ts';
import { fileSourcePlugin } from '../../plugins/source-file/index.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';
import { routePlugin } from '../../plugins/operator-route/index.ts';
import { intervalJoinPlugin } from '../../plugins/operator-interval-join/index.ts';
import { compileYaml } from '../engine/fixtures.ts';

const LINES = [
  /* 1 */ '{"kind":"order","order_id":"o1","amount":10,"ts":1000}',
  /* 2 */ '{"kind":"order","order_id":"o2","amount":20,"ts":2500}', // batch 1 → W 1499
  /* 3 */ '{"kind":"payment","order_id":"o1","ts":3000}', // o1 paid 2 s after: joined
  /* 4 */ '{"kind":"order","order_id":"o3","amount":30,"ts":"1970-01-01T00:00:02.000Z"}', // out of order (2000 ≥ 1499): kept; batch 2 → W 1999
  /* 5 */ '{"kind":"payment","order_id":"o2",ts:4000}', // not JSON: dead letter, with its text
  /* 6 */ '{"kind":"payment","order_id":"o2","ts":4000}', // o2 paid: joined; batch 3 → W 2999
  /* 7 */ '{"kind":"payment","order_id":"o3","ts":"yesterday"}', // no event time: dead letter
  /* 8 */ '{"kind":"order","order_id":"o4","amount":40,"ts":9000}', // batch 4 → W 7999
  /* 9 */ '{"kind":"payment","order_id":"o3","ts":4500}', // would join o3, but 4500 < W 7999: late
  /* 10 */ '{"kind":"payment","order_id":"o4","ts":9500}', // o4 paid: joined; batch 5 → W 8499
  /* 11 */ '{"kind":"payment","order_id":"o1","ts":12000}', // o1's window [1000, 6000] is over: no output
];

const PIPELINE = (dir: string) => `
name: payments
sources:
  events:
    file: { path: ${join(dir, 'in.jsonl')} }
    event_time: { field: ts, max_out_of_orderness: 1s }
operators:
  split:
    input: events
    route: { routes: { orders: 'kind == "order"', payments: 'kind == "payment"' } }
  paid:
    input: [split.orders, split.payments]
    interval_join:
      key: order_id
      lower: 0s
      upper: 5s
      project: { order: left.order_id, amount: left.amount, paid_at: right.ts }
sinks:
  out:
    input: paid
    file: { path: ${join(dir, 'out.jsonl')} }
late: { file: { path: ${join(dir, 'late.jsonl')} } }
dead_letter: { file: { path: ${join(dir, 'dead.jsonl')} } }
`;

const readJsonl = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

void test('out-of-order, late and malformed lines give exactly the expected output, late and dead-letter files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-jsonl-'));
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, LINES.join('\n') + '\n');
    const offsetOf = (line: number) => LINES.slice(0, line - 1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const pipeline = compileYaml(PIPELINE(dir), [fileSourcePlugin, fileSinkPlugin, routePlugin, intervalJoinPlugin]);
    const result = await runJob(pipeline, { batchSize: 2, checkpoint: { store: null } });
    assert.equal(result.status, 'finished', result.error?.message);

    assert.deepEqual(readJsonl(join(dir, 'out.jsonl')), [
      { order: 'o1', amount: 10, paid_at: 3000 },
      { order: 'o2', amount: 20, paid_at: 4000 },
      { order: 'o4', amount: 40, paid_at: 9500 },
    ]);

    assert.deepEqual(readJsonl(join(dir, 'late.jsonl')), [
      {
        operator: 'paid',
        reason: 'join_late',
        watermark: 7999,
        event_time: 4500,
        record: { kind: 'payment', order_id: 'o3', ts: 4500 },
        provenance: { source: 'events', partition: input, offset: offsetOf(9), line: 9 },
      },
    ]);

    const dead = readJsonl(join(dir, 'dead.jsonl'));
    assert.equal(dead.length, 2);
    assert.match(dead[0]!.error as string, /^not valid JSON: /);
    assert.deepEqual({ ...dead[0], error: '…' }, {
      operator: 'events',
      reason: 'bad_json',
      error: '…',
      record: '{"kind":"payment","order_id":"o2",ts:4000}',
      provenance: { source: 'events', partition: input, offset: offsetOf(5), line: 5 },
    });
    assert.deepEqual(dead[1], {
      operator: 'events',
      reason: 'bad_event_time',
      error: "field 'ts' holds no event time (epoch ms or ISO-8601)",
      record: { kind: 'payment', order_id: 'o3', ts: 'yesterday' },
      provenance: { source: 'events', partition: input, offset: offsetOf(7), line: 7 },
    });

    assert.equal(result.stages.events!.in, 11);
    assert.equal(result.stages.events!.deadLettered, 2);
    assert.equal(result.stages.paid!.late, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
