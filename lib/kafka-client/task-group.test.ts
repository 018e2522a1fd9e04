import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../core/api/index.ts';
import type { KafkaClientFactory } from './client.ts';
import { FakeKafka } from './fake-client.ts';
import { KafkaTaskGroup, REJOIN_TRIES, decodeTaskRequest } from './task-group.ts';

void test('a request of the task topic decodes; anything else is no request', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(decodeTaskRequest(bytes('{"savepoint":"sp-20261205-150000-ab12","expires":5}')), { savepoint: 'sp-20261205-150000-ab12', expires: 5 });
  assert.deepEqual(decodeTaskRequest('{"savepoint":"sp-1"}'), { savepoint: 'sp-1' });
  for (const v of ['', 'x', '{}', '{"savepoint":3}', '{"savepoint":"../etc"}', 'null']) assert.equal(decodeTaskRequest(v), undefined, v);
});

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => void lines.push(m),
    error: (m) => void lines.push(m),
    child: () => logger,
  };
  return logger;
}

const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 3000 && !ok(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(ok(), what);
};

void test('when the group consumer stops for good, the process joins again with back-off and keeps its tasks', async () => {
  const kafka = new FakeKafka();
  const warnings: string[] = [];
  const group = new KafkaTaskGroup({ client: kafka, job: 'j', count: 3, sessionTimeoutMs: 10_000, logger: recordingLogger(warnings), rejoinBaseMs: 1 });
  const owned: (readonly number[])[] = [];
  const fatal: Error[] = [];
  await group.join((tasks) => owned.push(tasks), (error) => fatal.push(error));
  assert.deepEqual(owned, [[0, 1, 2]]);
  kafka.consumers[0]!.fail(new Error('Failed to find group coordinator'));
  await until('a second consumer joined', () => owned.length === 2);
  assert.equal(kafka.consumers.length, 2);
  assert.equal(kafka.consumers[0]!.closed, true, 'the stopped consumer is closed');
  assert.deepEqual(owned[1], [0, 1, 2]);
  assert.deepEqual(fatal, []);
  assert.match(warnings.join('\n'), /consumer stopped \(Failed to find group coordinator\); joining again in 1 ms \(try 1 of 10\)/);
  kafka.consumers[1]!.fail(new Error('again'));
  await until('a third consumer joined', () => owned.length === 3);
  assert.match(warnings.at(-1)!, /try 1 of 10/, 'an assignment resets the tries');
  await group.leave();
  assert.equal(kafka.consumers[2]!.closed, true);
});

void test('the process fails with the last error once every try to join again failed', async () => {
  const kafka = new FakeKafka();
  let starts = 0;
  const client: KafkaClientFactory = {
    admin: () => kafka.admin(),
    producer: (o) => kafka.producer(o),
    transactionalProducer: (o) => kafka.transactionalProducer(o),
    consumer: (o) => {
      const c = kafka.consumer(o);
      if (++starts > 1) c.start = () => Promise.reject(new Error(`broker down (${starts})`));
      return c;
    },
  };
  const group = new KafkaTaskGroup({ client, job: 'j', count: 2, sessionTimeoutMs: 10_000, logger: recordingLogger([]), rejoinBaseMs: 1 });
  const fatal: Error[] = [];
  await group.join(() => undefined, (error) => fatal.push(error));
  kafka.consumers[0]!.fail(new Error('Failed to find group coordinator'));
  await until('the process failed', () => fatal.length > 0);
  assert.equal(starts, 1 + REJOIN_TRIES);
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!.message, `broker down (${1 + REJOIN_TRIES})`);
  await group.leave();
});
