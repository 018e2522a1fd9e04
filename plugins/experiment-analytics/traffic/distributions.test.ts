/** The generator's distributions, roughly: shares, skew, disorder, effects and SRM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from 'sluice/api';
import { TrafficGenerator } from './generator.ts';
import { groupAt } from './plan.ts';
import { trafficConfig } from './test-config.ts';

const within = (value: number, lo: number, hi: number, what: string) => assert.ok(value >= lo && value <= hi, `${what} = ${value}, expected in [${lo}, ${hi}]`);

function records(raw: Record<string, unknown>, n: number) {
  const g = new TrafficGenerator(trafficConfig(raw));
  const d = g.next(n);
  const rows: { output: string; partition: number; time: number; value: Row | undefined }[] = [];
  for (let i = 0; i < d.length; i++) rows.push({ output: d.outputs[i]!, partition: d.partitions[i]!, time: d.times[i]!, value: d.values[i] });
  return { g, rows };
}

void test('shares, user skew, duplicates, repeated triggers, disorder and lateness', () => {
  const { g, rows } = records({ seed: 21 }, 300_000);
  const acts = rows.filter((r) => r.output === 'activations' && r.value);
  const actions = rows.filter((r) => r.output === 'actions' && r.value);
  within(acts.length / (acts.length + actions.length), 0.18, 0.22, 'activation share');
  within(acts.filter((r) => r.value!.experiment_id === 'exp_0000').length / acts.length, 0.33, 0.37, 'hot share');
  // Zipf: the most active user's share of events, and rank 2 against rank 1.
  const byUser = new Map<string, number>();
  for (const r of [...acts, ...actions]) byUser.set(r.value!.user_id as string, (byUser.get(r.value!.user_id as string) ?? 0) + 1);
  const n = acts.length + actions.length;
  const p1 = g.model.userSampler.probability(1);
  within((byUser.get('u1') ?? 0) / n / p1, 0.93, 1.07, 'rank-1 share / Zipf p(1)');
  within((byUser.get('u2') ?? 0) / (byUser.get('u1') ?? 1), 2 ** -1.1 * 0.9, 2 ** -1.1 * 1.1, 'rank 2 / rank 1');
  // Duplicated deliveries share an event_id; repeated triggers are distinct activations of one (user, experiment).
  const ids = new Map<string, number>();
  for (const r of acts) ids.set(r.value!.event_id as string, (ids.get(r.value!.event_id as string) ?? 0) + 1);
  within((acts.length - ids.size) / ids.size, 0.007, 0.013, 'duplicate share');
  const pairs = new Map<string, number>();
  for (const r of acts) pairs.set(`${r.value!.user_id}|${r.value!.experiment_id}`, (pairs.get(`${r.value!.user_id}|${r.value!.experiment_id}`) ?? 0) + 1);
  assert.ok([...pairs.values()].filter((c) => c > 2).length > 1000, 'many users trigger the same experiment repeatedly');
  // Disorder: how far behind the running maximum of its partition each record arrives.
  const maxSeen = new Map<string, number>();
  let behind20s = 0;
  let behind20m = 0;
  let counted = 0;
  for (const r of rows) {
    if (r.output === 'metadata') continue;
    const key = `${r.output}/${r.partition}`;
    const m = maxSeen.get(key) ?? -Infinity;
    if (r.time < m - 20_000) behind20s++;
    if (r.time < m - 20 * 60_000) behind20m++;
    maxSeen.set(key, Math.max(m, r.time));
    counted++;
  }
  within(behind20s / counted, 0.009, 0.014, 'share behind by > out_of_order');
  within(behind20m / counted, 0.0013, 0.0027, 'share later than the allowed lateness');
});

/** Per-group counts of one action, among users of the given plan, at each action's time. */
function ratioOfRates(g: TrafficGenerator, rows: { value: Row | undefined }[], action: string): number {
  const plan = g.plans.plan(0);
  const by = { action: { control: 0, treatment: 0 }, impression: { control: 0, treatment: 0 } };
  for (const { value: v } of rows) {
    if (!v || v.action === undefined || (v.action !== action && v.action !== 'impression')) continue;
    const grp = groupAt(plan, 21, Number((v.user_id as string).slice(1)), v.ts as number) as 'control' | 'treatment';
    by[v.action === action ? 'action' : 'impression'][grp]++;
  }
  return by.action.treatment / by.action.control / (by.impression.treatment / by.impression.control);
}

void test('a true effect changes the rate in treatment by its lift; other actions stay A/A', () => {
  const { g, rows } = records({ seed: 21, effects: [{ experiment: 0, action: 'click', lift: 0.5 }], sample_ratio_mismatch: [] }, 400_000);
  within(ratioOfRates(g, rows, 'click'), 1.4, 1.6, 'click rate ratio treatment/control');
  within(ratioOfRates(g, rows, 'save'), 0.9, 1.1, 'save rate ratio (A/A)');
});

void test('a sample-ratio mismatch loses its share of the treatment users, and only theirs', () => {
  const loss = 0.3;
  const treatmentUsers = (srm: unknown[]) => {
    const users = { control: new Set<string>(), treatment: new Set<string>() };
    for (const { value: v } of records({ seed: 21, sample_ratio_mismatch: srm, effects: [] }, 300_000).rows) {
      if (v?.experiment_id === 'exp_0000' && v.group !== undefined) users[v.group as 'control' | 'treatment'].add(v.user_id as string);
    }
    return users;
  };
  const fair = treatmentUsers([]);
  const skewed = treatmentUsers([{ experiment: 0, loss }]);
  assert.ok(fair.treatment.size > 2000, `${fair.treatment.size} treatment users`);
  within(skewed.treatment.size / fair.treatment.size, 1 - loss - 0.03, 1 - loss + 0.03, 'treatment users kept');
  // Lost records are replaced by later ones in a fixed-size sample: control grows slightly.
  within(skewed.control.size / fair.control.size, 0.99, 1.03, 'control users kept');
});
