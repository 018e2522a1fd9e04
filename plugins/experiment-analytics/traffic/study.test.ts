/** Study mode (`study`): layout, distributions, effects, SRM, waves, restore and the metadata watermark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from 'sluice/api';
import { checkAction, checkActivation, checkExperimentMeta } from '../model/index.ts';
import { TrafficGenerator } from './generator.ts';
import type { Deliveries } from './generator.ts';
import { TrafficSource } from './source.ts';
import { trafficConfig } from './test-config.ts';

const within = (value: number, lo: number, hi: number, what: string) => assert.ok(value >= lo && value <= hi, `${what} = ${value}, expected in [${lo}, ${hi}]`);

const BASE = {
  seed: 41, users: 120_000, event_interval: '1s', actions: { click: 1, save: 1 }, effects: [], sample_ratio_mismatch: [],
  late_share: 0, malformed_share: 0, study: { experiments: 40, waves: 2 },
};

function all(raw: Record<string, unknown>): { g: TrafficGenerator; d: Deliveries } {
  const g = new TrafficGenerator(trafficConfig(raw));
  const d: Deliveries = { length: 0, outputs: [], partitions: [], offsets: [], times: [], values: [], payloads: [] };
  while (!g.done) {
    const next = g.next(100_000);
    if (next.length === 0) break;
    for (let i = 0; i < next.length; i++) {
      d.outputs.push(next.outputs[i]!);
      d.partitions.push(next.partitions[i]!);
      d.offsets.push(next.offsets[i]!);
      d.times.push(next.times[i]!);
      d.values.push(next.values[i]);
      d.payloads.push(next.payloads[i]);
    }
    d.length += next.length;
  }
  return { g, d };
}

interface UserView { experiment?: string; group?: string; trigger?: number; triggers: number; counts: Record<string, number>; firstAction?: number }

function byUser(d: Deliveries): Map<string, UserView> {
  const users = new Map<string, UserView>();
  const ids = new Set<string>();
  for (let i = 0; i < d.length; i++) {
    const v = d.values[i] as Row;
    if (d.outputs[i] === 'metadata') continue;
    if (ids.has(v.event_id as string)) continue; // a duplicated delivery
    ids.add(v.event_id as string);
    let u = users.get(v.user_id as string);
    if (!u) users.set(v.user_id as string, (u = { triggers: 0, counts: {} }));
    if (d.outputs[i] === 'activations') {
      checkActivation(v);
      u.triggers++;
      u.experiment = v.experiment_id as string;
      u.group = v.group as string;
      u.trigger = v.ts as number;
    } else {
      checkAction(v);
      u.counts[v.action as string] = (u.counts[v.action as string] ?? 0) + 1;
      u.firstAction = Math.min(u.firstAction ?? Infinity, v.ts as number);
    }
  }
  return users;
}

void test('study mode: one trigger per user, users not shared, actions after the trigger, 50/50, the stream ends', () => {
  const { g, d } = all(BASE);
  const study = g.model.study!;
  const users = byUser(d);
  const metas = d.values.filter((_, i) => d.outputs[i] === 'metadata').map((v) => checkExperimentMeta(v!));
  assert.equal(metas.length, 40);
  for (const m of metas) {
    assert.deepEqual(m.groups, ['control', 'treatment']);
    assert.deepEqual(m.weights, { control: 0.5, treatment: 0.5 });
    assert.equal(m.ramps.length, 1);
    assert.deepEqual(Object.keys(m.actions).sort(), ['click', 'save']);
    assert.equal((m as unknown as Row).volume_cap, 50);
  }
  // Two waves: experiments 0–19 launch at the start, 20–39 when the first wave's users are done.
  const launch = (id: string) => metas.find((m) => m.experiment_id === id)!.ramps[0]!.ts;
  assert.equal(launch('exp_0000'), BASE_START);
  assert.equal(launch('exp_0019'), BASE_START);
  assert.ok(launch('exp_0020') > BASE_START + 86_400_000 / 2, `wave 2 launches at ${launch('exp_0020')}`);
  assert.equal(users.size, 120_000);
  const perExperiment = new Map<string, number>();
  let treated = 0;
  for (const u of users.values()) {
    assert.equal(u.triggers, 1);
    perExperiment.set(u.experiment!, (perExperiment.get(u.experiment!) ?? 0) + 1);
    if (u.group === 'treatment') treated++;
    if (u.firstAction !== undefined) assert.ok(u.firstAction > u.trigger!, 'actions follow the trigger');
    assert.ok(u.trigger! >= launch(u.experiment!) && u.trigger! < launch(u.experiment!) + 3 * 86_400_000 - 3_600_000);
  }
  assert.equal(perExperiment.size, 40);
  for (const n of perExperiment.values()) assert.equal(n, 3000);
  within(treated / users.size, 0.495, 0.505, 'treatment share');
  // The stream is exactly the layout: metadata, activations (with duplicates) and actions.
  const actions = d.outputs.filter((o) => o === 'actions').length;
  assert.equal(actions + 120_000, study.totalEvents);
  assert.ok(g.done);
});

const BASE_START = 1_767_225_600_000;

void test('study mode: base rates in [rate_min, rate_max], Zipf-like counts under the cap, per (experiment, action)', () => {
  const raw = { ...BASE, users: 200_000, study: { experiments: 20, rate_min: 0.02, rate_max: 0.06, volume_zipf: 1.5, volume_cap: 20 }, event_interval: '400ms' };
  const { g, d } = all(raw);
  const study = g.model.study!;
  const users = byUser(d);
  const rates: number[] = [];
  const active = new Map<string, [number, number]>();
  const histogram = new Map<number, number>();
  for (const u of users.values()) {
    for (const a of ['click', 'save']) {
      const key = `${u.experiment}|${a}`;
      const cell = active.get(key) ?? [0, 0];
      cell[1]++;
      const c = u.counts[a] ?? 0;
      if (c > 0) {
        cell[0]++;
        histogram.set(c, (histogram.get(c) ?? 0) + 1);
      }
      active.set(key, cell);
    }
  }
  for (let k = 0; k < 20; k++) {
    for (const a of ['click', 'save']) {
      const rate = study.rate(k, a);
      rates.push(rate);
      within(rate, 0.02, 0.06, `rate ${k}/${a}`);
      const [acting, n] = active.get(`exp_${String(k).padStart(4, '0')}|${a}`)!;
      // 10,000 users each: the observed share within 4.5 SE of the drawn rate.
      const se = Math.sqrt((rate * (1 - rate)) / n);
      within(acting / n, rate - 4.5 * se, rate + 4.5 * se, `active share ${k}/${a}`);
    }
  }
  // The 40 rates spread over the range (not one value).
  within(Math.max(...rates) - Math.min(...rates), 0.025, 0.04, 'range of the drawn rates');
  // Counts: P(c) ∝ c^-1.5 on 1..20.
  const total = [...histogram.values()].reduce((s, x) => s + x, 0);
  const H = Array.from({ length: 20 }, (_, i) => (i + 1) ** -1.5).reduce((s, x) => s + x, 0);
  assert.ok(Math.max(...histogram.keys()) <= 20);
  for (const c of [1, 2, 4]) within((histogram.get(c) ?? 0) / total / (c ** -1.5 / H), 0.9, 1.1, `P(${c}) / Zipf`);
  within((histogram.get(20) ?? 0) / total / (20 ** -1.5 / H), 0.5, 1.5, 'P(cap) / Zipf');
  const mean = [...histogram].reduce((s, [c, n]) => s + c * n, 0) / total;
  within(mean / study.activeMean, 0.97, 1.03, 'mean count / E[c | active]');
});

void test('study mode: a true effect multiplies the treatment\'s rate; an SRM loses its share of treatment triggers', () => {
  const raw = {
    ...BASE, users: 200_000, event_interval: '400ms',
    effects: [{ experiment: 0, action: 'click', lift: 0.5 }, { experiment: 1, action: 'click', lift: 0.5 }],
    sample_ratio_mismatch: [{ experiment: 2, loss: 0.2 }],
    study: { experiments: 4, rate_min: 0.04, rate_max: 0.05 },
  };
  const { d } = all(raw);
  const users = byUser(d);
  const share = (exp: string, action: string, group: string) => {
    let n = 0;
    let acting = 0;
    for (const u of users.values()) {
      if (u.experiment !== exp || u.group !== group) continue;
      n++;
      if ((u.counts[action] ?? 0) > 0) acting++;
    }
    return { n, rate: acting / n };
  };
  for (const exp of ['exp_0000', 'exp_0001']) {
    within(share(exp, 'click', 'treatment').rate / share(exp, 'click', 'control').rate, 1.3, 1.7, `${exp} click ratio`);
    within(share(exp, 'save', 'treatment').rate / share(exp, 'save', 'control').rate, 0.85, 1.15, `${exp} save ratio (A/A)`);
  }
  within(share('exp_0003', 'click', 'treatment').rate / share('exp_0003', 'click', 'control').rate, 0.85, 1.15, 'exp_0003 click ratio (A/A)');
  // 50,000 users per experiment: the SRM experiment's treatment keeps 80% of its triggers.
  within(share('exp_0002', 'click', 'treatment').n / share('exp_0002', 'click', 'control').n, 0.77, 0.83, 'exp_0002 treatment/control triggers');
  within(share('exp_0003', 'click', 'treatment').n / share('exp_0003', 'click', 'control').n, 0.97, 1.03, 'exp_0003 treatment/control triggers');
});

void test('study mode: exact restore, and a metadata watermark that never passes the next wave\'s metadata', async () => {
  const cfg = trafficConfig({ ...BASE, users: 40_000, study: { experiments: 40, waves: 4 } });
  const src = new TrafficSource(cfg);
  await src.open(undefined);
  const fingerprint: string[] = [];
  let saved: unknown;
  let atSave = 0;
  let lastWatermark = -Infinity;
  const metadataTimes: number[] = [];
  const watermarks: number[] = [];
  for (let chunks = await src.poll(3000); chunks; chunks = await src.poll(3000)) {
    for (const ch of chunks) {
      const n = ch.values!.length;
      for (let i = 0; i < n; i++) fingerprint.push(`${ch.output}:${ch.offsets![i]}:${JSON.stringify(ch.values![i])}`);
      if (ch.output === 'metadata') {
        for (const v of ch.values!) {
          // No metadata record arrives at or behind a watermark already given.
          assert.ok((v.ts as number) > lastWatermark, `metadata at ${String(v.ts)} behind watermark ${lastWatermark}`);
          metadataTimes.push(v.ts as number);
        }
        if (ch.watermark !== undefined) {
          assert.ok(ch.watermark >= lastWatermark);
          lastWatermark = ch.watermark;
          watermarks.push(ch.watermark);
        }
      }
    }
    if (saved === undefined && fingerprint.length > 20_000) {
      saved = src.position();
      atSave = fingerprint.length;
    }
  }
  const publishes = [...new Set(metadataTimes)];
  assert.equal(publishes.length, 4, 'one publish time per wave');
  // Between waves the watermark moves on (it does not wait for the next wave's metadata).
  assert.ok(watermarks.some((w) => w > publishes[1]! - 86_400_000 && w < publishes[1]!));
  const again = new TrafficSource(cfg);
  await again.open(saved);
  const replay: string[] = [];
  for (let chunks = await again.poll(2500); chunks; chunks = await again.poll(2500)) {
    for (const ch of chunks) for (let i = 0; i < ch.values!.length; i++) replay.push(`${ch.output}:${ch.offsets![i]}:${JSON.stringify(ch.values![i])}`);
  }
  assert.deepEqual(replay.sort(), fingerprint.slice(atSave).sort());
});

void test('study mode: a wave longer than an epoch is refused', () => {
  assert.throws(() => new TrafficGenerator(trafficConfig({ ...BASE, event_interval: '10s', study: { experiments: 40, waves: 1 } })), /spans .* days/);
  assert.throws(() => new TrafficGenerator(trafficConfig({ ...BASE, study: { experiments: 30, waves: 4 } })), /multiples of waves/);
});
