/**
 * `nats_kv` against the real nats-server: current values on start, then updates; a restore
 * after a revision; key filters; and a KV put reaching a running job through `broadcast`.
 */
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from '../engine/fixtures.ts';
import { broadcastPlugin } from '../../plugins/operator-broadcast/index.ts';
import { natsKvSourcePlugin } from '../../plugins/source-nats-kv/index.ts';
import { NATS_SERVER, testNats, uniqueName } from '../../lib/nats-client/test-support.ts';

const nats = await testNats();
const kvm = new Kvm(nats.nc);
const buckets: string[] = [];
after(() => nats.cleanup([], buckets));
beforeEach(resetFixtures);

async function bucket(): Promise<{ name: string; kv: KV }> {
  const name = uniqueName('meta');
  buckets.push(name);
  return { name, kv: await kvm.create(name) };
}

async function source(name: string, position: unknown, keys = ['>']): Promise<SourceInstance> {
  const s = await natsKvSourcePlugin.create({
    id: 'meta', job: 'kv_test', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], bucket: name, keys, create_bucket: false, connect_timeout: 5000 },
  });
  await s.open(position);
  return s;
}

/** Polls until `n` records came (bounded), returning the chunks' keys and values. */
async function take(s: SourceInstance, n: number): Promise<{ key: string; value: unknown; rev: number }[]> {
  const out: { key: string; value: unknown; rev: number }[] = [];
  for (let k = 0; k < 400 && out.length < n; k++) {
    const chunks = (await s.poll(100)) as SourceChunk[];
    for (const c of chunks) {
      c.payloads!.forEach((p, i) => {
        const m = c.meta![i] as { key: string; revision: number };
        out.push({ key: m.key, value: JSON.parse(new TextDecoder().decode(p as Uint8Array)), rev: m.revision });
      });
    }
    if (chunks.length === 0) await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}

const json = (v: unknown) => JSON.stringify(v);

void test('current values first, then each update; a restore delivers only the updates after its revision', async () => {
  const { name, kv } = await bucket();
  await kv.put('exp.a', json({ v: 1 }));
  await kv.put('exp.a', json({ v: 2 })); // history 1: only v 2 is current
  await kv.put('exp.b', json({ v: 1 }));
  const s = await source(name, undefined);
  assert.deepEqual(s.partitions!(), [name]);
  assert.deepEqual((await take(s, 2)).map((e) => [e.key, e.value]), [['exp.a', { v: 2 }], ['exp.b', { v: 1 }]]);
  await kv.put('exp.b', json({ v: 2 }));
  assert.deepEqual(await take(s, 1), [{ key: 'exp.b', value: { v: 2 }, rev: 4 }]);
  const position = s.position();
  assert.equal(position, 4);
  await s.close();
  await kv.put('exp.a', json({ v: 3 }));
  await kv.delete('exp.b'); // deletes are not emitted
  await kv.put('exp.c', json({ v: 1 }));
  const restored = await source(name, JSON.parse(JSON.stringify(position)));
  assert.deepEqual((await take(restored, 2)).map((e) => [e.key, e.value, e.rev]), [['exp.a', { v: 3 }, 5], ['exp.c', { v: 1 }, 7]]);
  assert.equal(restored.position(), 7);
  await restored.close();
});

void test('several key patterns are filtered; one is filtered by the server', async () => {
  const { name, kv } = await bucket();
  for (const k of ['a.1', 'a.2.x', 'b', 'c']) await kv.put(k, json({ k }));
  const many = await source(name, undefined, ['a.*', 'c']);
  assert.deepEqual((await take(many, 2)).map((e) => e.key), ['a.1', 'c']);
  await many.close();
  const one = await source(name, undefined, ['a.>']);
  assert.deepEqual((await take(one, 2)).map((e) => e.key), ['a.1', 'a.2.x']);
  await one.close();
});

void test('a KV put reaches a running job: the broadcast output changes after the update', async () => {
  const { name, kv } = await bucket();
  await kv.put('e1', json({ experiment_id: 'e1', name: 'v1', from: 0 }));
  let job: RunningJob | undefined;
  const stop = new AbortController();
  const until = async (ok: () => boolean) => {
    for (let k = 0; k < 1000 && !ok(); k++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), 'condition reached');
  };
  scripts.set('actions', {
    steps: [[{ partition: 0, values: [{ experiment_id: 'e1', ts: 100 }] }], [{ partition: 0, values: [{ experiment_id: 'e1', ts: 2000 }] }]],
    after: 'empty',
    beforePoll: async (k) => {
      if (k === 1) {
        await until(() => collection('out').rows.length === 1);
        await kv.put('e1', json({ experiment_id: 'e1', name: 'v2', from: 1000 }));
        await until(() => (job!.stageCounts().enriched?.in ?? 0) >= 3);
      }
      if (k === 2) {
        await until(() => collection('out').rows.length === 2);
        stop.abort();
      }
    },
  });
  const text = `
name: kv_broadcast
sources:
  actions:
    scripted: { script: actions }
    event_time: { field: ts, max_out_of_orderness: 0s }
  meta:
    nats_kv: { servers: ["${NATS_SERVER}"], bucket: ${name} }
    event_time: { field: from, max_out_of_orderness: 0s }
operators:
  enriched:
    input: [actions, meta]
    broadcast: { key: experiment_id, effective_from: from, max_wait: 1h, thing: experiment }
sinks:
  out:
    input: enriched
    collect: { name: out }
`;
  const r = await runJob(compileYaml(text, [natsKvSourcePlugin, broadcastPlugin]), { checkpoint: { store: null }, signal: stop.signal, onStart: (j) => (job = j) });
  assert.equal(r.status, 'stopped');
  assert.deepEqual(collection('out').rows.map((x) => [x.value.ts, (x.value.experiment as { name: string }).name]), [[100, 'v1'], [2000, 'v2']]);
});
