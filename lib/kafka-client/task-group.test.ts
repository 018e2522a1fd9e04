import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTaskRequest } from './task-group.ts';

void test('a request of the task topic decodes; anything else is no request', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(decodeTaskRequest(bytes('{"savepoint":"sp-20261205-150000-ab12","expires":5}')), { savepoint: 'sp-20261205-150000-ab12', expires: 5 });
  assert.deepEqual(decodeTaskRequest('{"savepoint":"sp-1"}'), { savepoint: 'sp-1' });
  for (const v of ['', 'x', '{}', '{"savepoint":3}', '{"savepoint":"../etc"}', 'null']) assert.equal(decodeTaskRequest(v), undefined, v);
});
