/** The sink with an in-memory publisher: message building, rejections, error classes, config checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, PermanentSinkError, TransientSinkError } from '../../core/api/index.ts';
import type { RecordError, Row } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/compiler.ts';
import { Locator, validateConfig } from '../../core/runtime/spec/index.ts';
import { MessageBuilder } from './messages.ts';
import type { BatchPublisher, OutMessage, PublishFailure } from './publisher.ts';
import { NatsSink } from './sink.ts';
import { checkNatsSink, natsSinkSpec } from './spec.ts';
import type { NatsSinkConfig } from './spec.ts';

/** Records what is published; answers with scripted failures or throws. */
class FakePublisher implements BatchPublisher {
  batches: OutMessage[][] = [];
  next: (messages: readonly OutMessage[]) => PublishFailure[] = () => [];
  publishBatch(messages: readonly OutMessage[]): Promise<PublishFailure[]> {
    this.batches.push([...messages]);
    try {
      return Promise.resolve(this.next(messages));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function parse(raw: Record<string, unknown>): NatsSinkConfig {
  const { value, issues } = validateConfig(natsSinkSpec, raw, { locator: Locator.empty('<nats>'), path: [] });
  assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
  return value as NatsSinkConfig;
}

async function make(raw: Record<string, unknown>, codec: 'json' | 'raw' = 'json') {
  const config = parse(raw);
  const builder = new MessageBuilder(config, getCodec(codec), {}, (src) => createExpressionCompiler().compile(src, 'record'));
  const fake = new FakePublisher();
  const sink = new NatsSink(builder, () => Promise.resolve(fake), 'nats sink');
  await sink.open();
  return { sink, fake };
}

const batch = (rows: Row[]) => {
  const b = new BatchBuilder();
  for (const r of rows) b.push(r, 0);
  return b.take();
};

void test('defaults: local server, JetStream, 5 s ack timeout; the password and token are secrets', () => {
  const c = parse({ subject: 'x' });
  assert.deepEqual([c.servers, c.jetstream, c.ack_timeout, c.connect_timeout], [['127.0.0.1:4222'], true, 5000, 5000]);
  assert.equal(natsSinkSpec.fields.password.secret, true);
  assert.equal(natsSinkSpec.fields.token.secret, true);
});

void test('one message per record with subject, headers and Nats-Msg-Id from templates; all published in one call', async () => {
  const { sink, fake } = await make({ subject: 'alerts.{exp}', headers: { 'Exp-Id': '{exp}', Kind: 'alert' }, msg_id: '{exp}|{v}' });
  assert.equal(await sink.write(batch([{ exp: 'e1', v: 1 }, { exp: 'e2', v: 2 }])), undefined);
  assert.equal(fake.batches.length, 1);
  assert.deepEqual(fake.batches[0], [
    { subject: 'alerts.e1', payload: '{"exp":"e1","v":1}', headers: { 'Exp-Id': 'e1', Kind: 'alert', 'Nats-Msg-Id': 'e1|1' } },
    { subject: 'alerts.e2', payload: '{"exp":"e2","v":2}', headers: { 'Exp-Id': 'e2', Kind: 'alert', 'Nats-Msg-Id': 'e2|2' } },
  ]);
  const plain = await make({ subject: 'plain' });
  await plain.sink.write(batch([{ a: 1 }]));
  assert.equal(plain.fake.batches[0]![0]!.headers, undefined, 'no headers configured, none sent');
});

void test('records without a subject, with a bad subject or header, or that do not encode are rejected by batch index', async () => {
  const { sink, fake } = await make({ subject_expr: 'string(n) == "3" ? "bad subject" : "s." + string(n)', headers: { H: '{h}' } });
  const r = await sink.write(batch([{ n: 0, h: 'ok' }, { n: 1 }, { n: 2, h: 'a\nb' }, { n: 3, h: 'x' }, { n: 4, h: 'ok', big: 1n }, { n: 5, h: 'ok' }]));
  assert.deepEqual(fake.batches[0]!.map((m) => m.subject), ['s.0', 's.5']);
  assert.deepEqual(r && r.rejected?.map((x) => [x.index, (x.error as RecordError).reason]), [
    [1, 'template_error'],
    [2, 'bad_header'],
    [3, 'bad_subject'],
    [4, 'encode_error'],
  ]);
  const e = await make({ subject_expr: 'missing.field' });
  const er = await e.sink.write(batch([{ a: 1 }]));
  assert.equal(er && (er.rejected![0]!.error as RecordError).reason, 'expr_error');
});

void test('refusals: permanent ones are rejected at their batch index; a transient one fails the batch for a retry', async () => {
  const { sink, fake } = await make({ subject: 's.{k}' });
  fake.next = () => [{ index: 1, kind: 'permanent', error: new Error('too big') }];
  const r = await sink.write(batch([{}, { k: 'a' }, { k: 'b' }]));
  assert.deepEqual(r && r.rejected?.map((x) => x.index), [0, 2], 'record 0 has no k; message 1 is record 2');
  fake.next = () => [{ index: 0, kind: 'permanent', error: new Error('x') }, { index: 1, kind: 'transient', error: new Error('no responders') }];
  await assert.rejects(sink.write(batch([{ k: 'a' }, { k: 'b' }])), (e) => e instanceof TransientSinkError && /no responders/.test(e.message));
});

void test('errors thrown for the whole batch are classified: timeouts and lost connections transient, permissions permanent', async () => {
  const { sink, fake } = await make({ subject: 's' });
  const throwing = (name: string) => () => {
    throw Object.assign(new Error(name), { name });
  };
  for (const [name, cls] of [['TimeoutError', TransientSinkError], ['ConnectionError', TransientSinkError], ['PermissionViolationError', PermanentSinkError]] as const) {
    fake.next = throwing(name);
    await assert.rejects(sink.write(batch([{}])), (e) => e instanceof cls && e.message.includes(name), name);
  }
});

void test('config checks: exactly one of subject and subject_expr; templates and header names are valid', () => {
  const msgs = (raw: Record<string, unknown>) => checkNatsSink(parse(raw)).map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.deepEqual(msgs({}), ['subject: give exactly one of `subject` and `subject_expr`']);
  assert.deepEqual(msgs({ subject: 'a', subject_expr: '"b"' }), ['subject: give exactly one of `subject` and `subject_expr`']);
  assert.deepEqual(msgs({ subject: 'a.{', msg_id: '{id}}' }).map((m) => m.split(':')[0]), ['subject', 'msg_id']);
  assert.deepEqual(msgs({ subject: 'a', headers: { 'Bad Name': 'x', Good: '{y' } }).map((m) => m.split(':')[0]), ['headers.Good', 'headers.Bad Name']);
  assert.deepEqual(msgs({ subject: 'a.{b}', headers: { H: '{c}' }, msg_id: '{d}-{e}' }), []);
});
