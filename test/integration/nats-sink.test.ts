/**
 * `nats` sink against the real nats-server: headers and `Nats-Msg-Id` stored with each
 * message, a replayed batch dropped by the stream's de-duplication, `traceparent` from the
 * active span, refusals classified, and a job whose alerts a subscriber receives.
 */
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { APPEND_ONLY, BatchBuilder, TransientSinkError } from '../../core/api/index.ts';
import type { Row, SinkInstance } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/compiler.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { ensureContextManager } from '../../core/telemetry/sync-context.ts';
import { compileYaml, resetFixtures, scripts } from '../engine/fixtures.ts';
import { natsSinkPlugin } from '../../plugins/sink-nats/index.ts';
import { NATS_SERVER, testNats, uniqueName } from '../../lib/nats-client/test-support.ts';

const nats = await testNats();
const streams: string[] = [];
after(() => nats.cleanup(streams));
beforeEach(resetFixtures);

async function stream(extra: Record<string, unknown> = {}): Promise<{ name: string; subject: string }> {
  const name = uniqueName('SINK');
  const subject = uniqueName('sink');
  streams.push(name);
  await nats.jsm.streams.add({ name, subjects: [`${subject}.>`], ...extra });
  return { name, subject };
}

async function sink(config: Record<string, unknown>): Promise<SinkInstance> {
  const s = await natsSinkPlugin.create({
    id: 'alerts', job: 'nats_sink_test', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], jetstream: true, ack_timeout: 5000, change_field: 'op', connect_timeout: 5000, ...config } as never,
    input: { changelog: APPEND_ONLY }, codec: getCodec('json'), expressions: createExpressionCompiler(),
  });
  await s.open(undefined);
  return s;
}

function batch(rows: readonly Row[]) {
  const b = new BatchBuilder();
  for (const r of rows) b.push(r, 1);
  return b.take();
}

const alerts = (n: number) => Array.from({ length: n }, (_, i) => ({ alert_id: `a${i}`, experiment_id: `e${i % 2}`, value: i }));

void test('each record is stored with its subject, headers and Nats-Msg-Id; a replayed batch is dropped by the stream', async () => {
  const { name, subject } = await stream();
  const s = await sink({ subject: `${subject}.{experiment_id}`, headers: { 'Experiment-Id': '{experiment_id}' }, msg_id: 'alert-{alert_id}' });
  assert.equal(await s.write(batch(alerts(10))), undefined);
  assert.equal((await nats.jsm.streams.info(name)).state.messages, 10);
  // A restart replays the batch (and one new record): only the new one is stored.
  assert.equal(await s.write(batch(alerts(11))), undefined);
  await s.close();
  const state = (await nats.jsm.streams.info(name)).state;
  assert.equal(state.messages, 11);
  const m = await nats.jsm.streams.getMessage(name, { seq: 4 });
  assert.equal(m!.subject, `${subject}.e1`);
  assert.deepEqual(m!.json(), { alert_id: 'a3', experiment_id: 'e1', value: 3 });
  assert.equal(m!.header.get('Nats-Msg-Id'), 'alert-a3');
  assert.equal(m!.header.get('Experiment-Id'), 'e1');
  assert.equal(m!.header.get('traceparent'), '', 'no active span: no traceparent');
  const last = await nats.jsm.streams.getMessage(name, { seq: 11 });
  assert.equal(last!.header.get('Nats-Msg-Id'), 'alert-a10');
});

void test('the W3C traceparent of the active span goes with every message of the batch', async () => {
  ensureContextManager();
  const { name, subject } = await stream();
  const s = await sink({ subject_expr: `"${subject}." + experiment_id` });
  const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  await context.with(trace.setSpan(context.active(), span), () => s.write(batch(alerts(2))));
  await s.close();
  for (const seq of [1, 2]) {
    const m = await nats.jsm.streams.getMessage(name, { seq });
    assert.equal(m!.header.get('traceparent'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  }
  assert.equal((await nats.jsm.streams.getMessage(name, { seq: 2 }))!.subject, `${subject}.e1`, 'the CEL subject');
});

void test('refusals: a message the stream refuses for good is rejected, the others stored; no stream answering is transient', async () => {
  const { name, subject } = await stream({ max_msg_size: 64 });
  const s = await sink({ subject: `${subject}.{experiment_id}` });
  const huge = { alert_id: 'huge', experiment_id: 'e1', pad: 'x'.repeat(2 * 1024 * 1024) }; // over the server's max_payload
  const rows: Row[] = [...alerts(3), { alert_id: 'big', experiment_id: 'e0', pad: 'x'.repeat(100) }, { alert_id: 'no subject field' }, huge];
  const r = await s.write(batch(rows));
  assert.deepEqual(r && r.rejected?.map((x) => x.index), [3, 4, 5]);
  assert.match(String(r && (r.rejected![0]!.error as Error).message), /maximum|size/i, 'refused by the stream (max_msg_size)');
  assert.equal((r && (r.rejected![1]!.error as { reason?: string }).reason), 'template_error');
  assert.match(String(r && (r.rejected![2]!.error as Error).message), /max_payload/, 'refused by the client');
  assert.equal((await nats.jsm.streams.info(name)).state.messages, 3);
  await s.close();
  const nowhere = await sink({ subject: `${uniqueName('nostream')}.x` });
  await assert.rejects(nowhere.write(batch(alerts(1))), (e) => e instanceof TransientSinkError && /no responders/.test(e.message));
  await nowhere.close();
});

void test('a job publishes alerts over core NATS; a subscriber to the alert subject receives them', async () => {
  const subject = uniqueName('alerts');
  const got: { subject: string; data: unknown; header: string | undefined }[] = [];
  const sub = nats.nc.subscribe(`${subject}.>`, { callback: (_e, m) => void got.push({ subject: m.subject, data: m.json(), header: m.headers?.get('Nats-Msg-Id') }) });
  await nats.nc.flush();
  scripts.set('alerts', { steps: [[{ partition: 0, values: alerts(5) }], [{ partition: 0, values: alerts(8).slice(5) }]] });
  const text = `
name: nats_alerts
sources:
  a:
    scripted: { script: alerts }
sinks:
  out:
    input: a
    nats: { servers: ["${NATS_SERVER}"], jetstream: false, subject: "${subject}.{experiment_id}", msg_id: "{alert_id}" }
`;
  const r = await runJob(compileYaml(text, [natsSinkPlugin]), { checkpoint: { store: null } });
  assert.equal(r.status, 'finished');
  await nats.nc.flush();
  sub.unsubscribe();
  assert.deepEqual(got.map((g) => (g.data as { alert_id: string }).alert_id), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
  assert.deepEqual(got.map((g) => g.subject), alerts(8).map((a) => `${subject}.${a.experiment_id}`));
  assert.deepEqual(got.map((g) => g.header), alerts(8).map((a) => a.alert_id));
});
