import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrafficGenerator } from './generator.ts';
import type { Deliveries } from './generator.ts';
import { TrafficSource, toChunks } from './source.ts';
import { trafficConfig } from './test-config.ts';
import { checkAction, checkActivation, checkExperimentMeta } from '../model/index.ts';

function take(g: TrafficGenerator, n: number): Deliveries {
  return g.next(n);
}

const fingerprint = (d: Deliveries) =>
  Array.from({ length: d.length }, (_, i) => `${d.outputs[i]}:${d.partitions[i]}:${d.offsets[i]}:${d.times[i]}:${d.payloads[i] ?? JSON.stringify(d.values[i])}`);

void test('the same seed gives the same records; another seed others', () => {
  const a = fingerprint(take(new TrafficGenerator(trafficConfig({ seed: 7 })), 20_000));
  const b = fingerprint(take(new TrafficGenerator(trafficConfig({ seed: 7 })), 20_000));
  const c = fingerprint(take(new TrafficGenerator(trafficConfig({ seed: 8 })), 20_000));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.slice(200), c.slice(200));
});

void test('restore: a generator seeked to a position continues exactly, across block boundaries', () => {
  const cfg = trafficConfig({ seed: 3 });
  const g = new TrafficGenerator(cfg);
  for (const step of [1, 777, 9000, 15_000]) {
    g.next(step);
    const pos = JSON.parse(JSON.stringify(g.position()));
    const expected = fingerprint(g.next(3000));
    const h = new TrafficGenerator(cfg);
    h.seek(pos);
    assert.deepEqual(fingerprint(h.next(3000)), expected, `after ${step}`);
  }
  assert.throws(() => new TrafficGenerator(trafficConfig({ seed: 4 })).seek(g.position()), /seed 3/);
});

void test('the source: named outputs, events limit, exact restore through open(position)', async () => {
  const cfg = trafficConfig({ seed: 5, events: 10_000, partitions: 3 });
  const src = new TrafficSource(cfg);
  await src.open(undefined);
  let total = 0;
  let saved: unknown;
  const after: string[] = [];
  for (;;) {
    const chunks = await src.poll(1000);
    if (chunks === null) break;
    for (const ch of chunks) {
      assert.ok(['activations', 'actions', 'metadata'].includes(ch.output!));
      const n = (ch.values ?? ch.payloads)!.length;
      assert.equal(ch.offsets!.length, n);
      assert.equal(ch.times!.length, n);
      if (ch.output === 'metadata') assert.equal(ch.partition, 0);
      if (saved !== undefined) for (let i = 0; i < n; i++) after.push(`${ch.output}:${ch.offsets![i]}`);
      total += n;
    }
    if (total === 4000) saved = src.position();
  }
  assert.equal(total, 10_000);
  assert.deepEqual(
    src.partitions().map((p) => `${p.output}/${p.partition}`),
    ['activations/0', 'activations/1', 'activations/2', 'actions/0', 'actions/1', 'actions/2', 'metadata/0'],
    'metadata is declared on partition 0 only, where it is delivered',
  );
  const again = new TrafficSource(cfg);
  await again.open(saved);
  const replay: string[] = [];
  for (let chunks = await again.poll(2500); chunks; chunks = await again.poll(2500)) {
    for (const ch of chunks) for (const o of ch.offsets!) replay.push(`${ch.output}:${o}`);
  }
  assert.deepEqual(replay.sort(), after.sort());
});

void test('chunks keep per-partition order and isolate payloads that do not decode', () => {
  const g = new TrafficGenerator(trafficConfig({ seed: 9, malformed_share: 0.05, partitions: 2 }));
  const d = g.next(5000);
  const chunks = toChunks(d);
  const lastOffset = new Map<string, number>();
  let bad = 0;
  for (const ch of chunks) {
    assert.ok((ch.values === undefined) !== (ch.payloads === undefined));
    const key = `${ch.output}/${ch.partition}`;
    for (const o of ch.offsets!) {
      assert.ok((o as number) > (lastOffset.get(key) ?? -1), 'offsets grow within an output partition');
      lastOffset.set(key, o as number);
    }
    for (const p of ch.payloads ?? []) {
      bad++;
      let decoded: unknown;
      try {
        decoded = JSON.parse(p as string);
      } catch {
        continue;
      }
      assert.fail(`payload decoded: ${JSON.stringify(decoded)}`);
    }
  }
  assert.ok(bad > 150 && bad < 350, `malformed ${bad} of 5000`);
});

void test('every record is valid by the data model; metadata has segments and new epochs', () => {
  const d = new TrafficGenerator(trafficConfig({ seed: 11 })).next(200_000);
  let ramps = 0;
  const reramped = new Set<string>();
  const insideRamped = new Set<string>();
  for (let i = 0; i < d.length; i++) {
    const v = d.values[i];
    if (!v) continue;
    if (d.outputs[i] === 'activations') checkActivation(v);
    else if (d.outputs[i] === 'actions') checkAction(v);
    else {
      const m = checkExperimentMeta(v);
      ramps++;
      for (let j = 1; j < m.ramps.length; j++) {
        const gap = m.ramps[j]!.ts - m.ramps[0]!.ts;
        (gap >= 3 * 86_400_000 ? reramped : insideRamped).add(m.experiment_id);
      }
    }
  }
  assert.ok(ramps > 30, `${ramps} metadata versions`);
  assert.ok(reramped.size >= 2 && insideRamped.size >= 3, `re-ramped ${reramped.size}, ramped inside ${insideRamped.size}`);
});

void test('far_future_share dates that share of activations and actions 100 years ahead, time and ts alike; the rest is unchanged', () => {
  const plain = take(new TrafficGenerator(trafficConfig({ seed: 9 })), 50_000);
  const d = take(new TrafficGenerator(trafficConfig({ seed: 9, far_future_share: 0.01 })), 50_000);
  const ahead = 100 * 365.25 * 86_400_000;
  let far = 0;
  for (let i = 0; i < d.length; i++) {
    assert.equal(d.offsets[i], plain.offsets[i]);
    if (d.times[i] === plain.times[i]) continue;
    far++;
    assert.notEqual(d.outputs[i], 'metadata');
    assert.equal(d.times[i], plain.times[i]! + ahead);
    if (d.values[i]) assert.deepEqual(d.values[i], { ...plain.values[i], ts: d.times[i] });
  }
  assert.ok(far > 350 && far < 650, `${far} of 50,000`);
});
