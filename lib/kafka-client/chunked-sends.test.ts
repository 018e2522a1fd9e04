import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkedSends } from './chunked-sends.ts';
import type { OutgoingMessage } from './client.ts';

class Recorder {
  readonly sent: string[][] = [];
  failAt = -1;
  closed = false;
  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await Promise.resolve();
    if (this.sent.length === this.failAt) throw new Error(`request ${this.failAt} failed`);
    this.sent.push(messages.map((m) => `${topic}:${String(m.value)}`));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const messages = (n: number): OutgoingMessage[] => Array.from({ length: n }, (_, i) => ({ key: `k${i % 3}`, value: String(i) }));

void test('a send larger than the chunk goes out as requests of at most the chunk, in order', async () => {
  const r = new Recorder();
  const p = chunkedSends(r, 4);
  await p.send('t', messages(10));
  assert.deepEqual(r.sent.map((s) => s.length), [4, 4, 2]);
  assert.deepEqual(r.sent.flat(), messages(10).map((m) => `t:${String(m.value)}`));
  await p.send('t', messages(4));
  assert.equal(r.sent.length, 4, 'a send within the chunk is one request');
});

void test('the first failing request rejects the send; other methods are the producer\'s', async () => {
  const r = new Recorder();
  r.failAt = 1;
  const p = chunkedSends(r, 4);
  await assert.rejects(p.send('t', messages(10)), /request 1 failed/);
  assert.equal(r.sent.length, 1, 'nothing after the failure is sent');
  await p.close();
  assert.equal(r.closed, true);
  assert.equal(p.failAt, 1);
});
