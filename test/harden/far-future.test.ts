/**
 * Issue 12: one record dated in year 9999 moved the watermark there, so every later record
 * was late. Now a record more than `event_time.max_future` (default 1h) ahead of the wall
 * clock is dead-lettered with reason `event_time_in_future` and the watermark stays put.
 * One record per batch, so each record is judged against the watermark the one before moved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

function lines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function pipeline(eventTime: string): string {
  return `name: far_future
sources:
  events:
    file: { path: events.jsonl }
    event_time: ${eventTime}
operators:
  per_minute:
    input: events
    window_aggregate: { key: page, window: { tumbling: 1m }, aggregates: { n: count } }
sinks:
  out: { input: per_minute, file: { path: out.jsonl } }
late: { file: { path: late.jsonl } }
dead_letter: { file: { path: dead.jsonl } }
`;
}

const EVENTS = [
  { page: 'a', ts: '2024-01-01T00:00:00Z' },
  { page: 'a', ts: '9999-01-01T00:00:00Z' },
  { page: 'a', ts: '2024-01-01T00:00:10Z' },
  { page: 'a', ts: '2024-01-01T00:00:20Z' },
];

void test('a far-future record is dead-lettered as event_time_in_future; later records are not late', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-far-future-'));
  writeFileSync(join(cwd, 'events.jsonl'), EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(cwd, 'p.yaml'), pipeline('{ field: ts }'));
  const r = await sluice(['run', 'p.yaml', '--set', 'engine.batch_size=1'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(join(cwd, 'late.jsonl')), [], 'no record is late');
  const dead = lines(join(cwd, 'dead.jsonl'));
  assert.deepEqual(dead.map((d) => [d.reason, (d.record as { ts: string }).ts]), [['event_time_in_future', '9999-01-01T00:00:00Z']]);
  assert.match(String(dead[0]!.error), /max_future/);
  assert.deepEqual(lines(join(cwd, 'out.jsonl')).map((o) => o.n), [3]);
});

void test('a larger max_future admits the record (the old behaviour, on request)', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-far-future-'));
  writeFileSync(join(cwd, 'events.jsonl'), EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(cwd, 'p.yaml'), pipeline('{ field: ts, max_future: 1000000w }'));
  const r = await sluice(['run', 'p.yaml', '--set', 'engine.batch_size=1'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lines(join(cwd, 'dead.jsonl')).length, 0);
  assert.equal(lines(join(cwd, 'late.jsonl')).length, 2);
});
