import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixEnd } from './client.ts';
import { classify } from './errors.ts';

void test('network failures, 5xx, 408, 410 and 429 are transient; other statuses and unknown errors are not', () => {
  const http = (code: number) => Object.assign(new Error(`${code}: x`), { code, body: 'detail' });
  const net = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  for (const e of [net('ECONNREFUSED'), net('ECONNRESET'), net('ETIMEDOUT'), new Error('socket hang up'), http(500), http(503), http(408), http(410), http(429)]) {
    assert.equal(classify(e, 'put').transient, true, e.message);
  }
  for (const e of [http(400), http(404), http(403), new TypeError('x is not a function'), new SyntaxError('Unexpected token')]) {
    assert.equal(classify(e, 'put').transient, false, e.message);
  }
  const c = classify(http(404), 'put 3 rows into t');
  assert.equal(c.status, 404);
  assert.match(c.message, /^hbase put 3 rows into t: HTTP 404: x: detail$/);
});

void test('a prefix scan ends at the prefix with its last character incremented', () => {
  assert.equal(prefixEnd('job|0001|'), 'job|0001}');
  assert.equal(prefixEnd(''), undefined);
});
