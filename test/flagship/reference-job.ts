/**
 * A reference of the flagship job for tests, record at a time and in memory: the same
 * semantics as docs/architecture.md §8 written a second way (TypeScript, `epochOf` from the shared
 * model) so that `sluice validate`'s SQL can be checked against it on generated traffic,
 * and so that a realistic archive exists before the real job does. It is not the job:
 * no batches, no operators, no checkpoints.
 *
 * Per record, in delivery order: payloads that do not decode are dead-lettered; every other
 * record is archived with its provenance. The watermark of each stream is the minimum over
 * its partitions of `max_ts − out_of_orderness − 1`, taken before the record. Activations:
 * late when `ts < W − allowed_lateness`, then deduplicated on event_id, then slotted in an
 * epoch (else untracked); a first trigger is emitted once the watermark passes it, and an
 * earlier activation after that is late with reason `trigger_superseded`. Actions: late
 * under the same rule, else kept. At the end (the drain) kept actions are joined to the
 * first triggers and counted.
 */
import type { Row } from '../../core/api/index.ts';
import { EPOCH_MS, countsRowKey, epochOf, TRIGGER_ACTION } from '../../plugins/experiment-analytics/model/index.ts';
import type { ExperimentMeta } from '../../plugins/experiment-analytics/model/index.ts';
import type { Deliveries } from '../../plugins/experiment-analytics/traffic/generator.ts';

export interface ReferenceSettings {
  readonly outOfOrderness: number;
  readonly allowedLateness: number;
}

export interface Provenance {
  readonly source: string;
  readonly output: string;
  readonly partition: number;
  readonly offset: number;
}

interface Trigger {
  ts: number;
  group: string;
  segment: number;
  emitted: boolean;
  groups: string[];
}

export interface ReferenceOutput {
  readonly archive: Record<'activations' | 'actions' | 'metadata', string[]>;
  readonly late: Row[];
  readonly dead: Row[];
  readonly counts: Map<string, { volume?: number; propensity?: number; sum_sq?: number; triggered?: number }>;
  readonly sources: Record<string, { read: number; admitted: number; outcomes: Record<string, number> }>;
}

export class ReferenceJob {
  private readonly maxTs = new Map<string, number>();
  private readonly meta = new Map<string, ExperimentMeta>();
  private readonly seen = new Set<string>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly pending: [number, string][] = [];
  private readonly actionsKept: { user: string; action: string; ts: number }[] = [];
  readonly out: ReferenceOutput;

  constructor(private readonly s: ReferenceSettings, private readonly partitions: number) {
    const src = () => ({ read: 0, admitted: 0, outcomes: {} as Record<string, number> });
    this.out = { archive: { activations: [], actions: [], metadata: [] }, late: [], dead: [], counts: new Map(), sources: { activations: src(), actions: src(), metadata: src() } };
  }

  private watermark(output: string): number {
    let w = Infinity;
    for (let p = 0; p < (output === 'metadata' ? 1 : this.partitions); p++) {
      const m = this.maxTs.get(`${output}/${p}`);
      if (m !== undefined) w = Math.min(w, m - this.s.outOfOrderness - 1);
    }
    return w === Infinity ? -Infinity : w;
  }

  private bump(output: string, name: string): void {
    const o = this.out.sources[output]!.outcomes;
    o[name] = (o[name] ?? 0) + 1;
  }

  feed(d: Deliveries): void {
    for (let i = 0; i < d.length; i++) {
      const output = d.outputs[i]!;
      const prov: Provenance = { source: 'traffic', output, partition: d.partitions[i]!, offset: d.offsets[i]! };
      const counters = this.out.sources[output]!;
      counters.read++;
      const value = d.values[i];
      if (value === undefined) {
        this.out.dead.push({ operator: 'traffic', reason: 'bad_json', error: 'not valid JSON', record: d.payloads[i], provenance: prov });
        continue;
      }
      counters.admitted++;
      this.out.archive[output as 'actions'].push(JSON.stringify({ provenance: prov, record: value }));
      const w = this.watermark(output);
      if (output === 'metadata') this.onMetadata(value);
      else if (output === 'activations') this.onActivation(value, prov, w);
      else this.onAction(value, prov, w);
      const key = `${output}/${prov.partition}`;
      this.maxTs.set(key, Math.max(this.maxTs.get(key) ?? -Infinity, d.times[i]!));
      if (output === 'activations') this.fireTriggers(this.watermark('activations'));
    }
  }

  private late(value: Row, prov: Provenance, w: number, operator: string, reason: string, output: string): void {
    this.out.late.push({ operator, reason, watermark: w, event_time: value.ts, record: value, provenance: prov });
    this.bump(output, 'late');
  }

  private onMetadata(value: Row): void {
    const m = value as unknown as ExperimentMeta;
    const prev = this.meta.get(m.experiment_id);
    if (!prev || prev.effective_from <= m.effective_from) this.meta.set(m.experiment_id, m);
    this.bump('metadata', 'counted');
  }

  private onActivation(v: Row, prov: Provenance, w: number): void {
    const ts = v.ts as number;
    if (ts < w - this.s.allowedLateness) return this.late(v, prov, w, 'dedupe', 'late', 'activations');
    if (this.seen.has(v.event_id as string)) return this.bump('activations', 'duplicate');
    this.seen.add(v.event_id as string);
    const meta = this.meta.get(v.experiment_id as string);
    if (!meta) {
      this.out.dead.push({ operator: 'first_trigger', reason: 'unknown_experiment', error: 'no metadata', record: v, provenance: prov });
      return this.bump('activations', 'dead_lettered');
    }
    const slot = epochOf(meta, ts);
    if (!slot) return this.bump('activations', 'untracked_triggers');
    const key = `${v.experiment_id}|${slot.epoch_start}|${v.user_id}`;
    const t = this.triggers.get(key);
    const group = v.group as string;
    if (!t) {
      this.triggers.set(key, { ts, group, segment: slot.segment, emitted: false, groups: [group] });
      this.pending.push([ts, key]);
    } else if (ts < t.ts) {
      if (t.emitted) return this.late(v, prov, w, 'first_trigger', 'trigger_superseded', 'activations');
      t.groups.push(group);
      Object.assign(t, { ts, group, segment: slot.segment });
      this.pending.push([ts, key]);
    } else t.groups.push(group);
    this.bump('activations', 'counted');
  }

  private fireTriggers(w: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const [ts, key] = this.pending[i]!;
      const t = this.triggers.get(key)!;
      if (ts <= w && t.ts === ts) t.emitted = true;
      if (ts <= w) this.pending.splice(i, 1);
    }
  }

  private onAction(v: Row, prov: Provenance, w: number): void {
    if ((v.ts as number) < w - this.s.allowedLateness) return this.late(v, prov, w, 'join', 'late', 'actions');
    this.actionsKept.push({ user: v.user_id as string, action: v.action as string, ts: v.ts as number });
    this.bump('actions', 'counted');
  }

  /** The drain: every trigger fires; conflicts are counted against the final first triggers; actions are joined. */
  finish(): ReferenceOutput {
    const byUser = new Map<string, { experiment: string; epoch: number; t: Trigger }[]>();
    const { counts } = this.out;
    for (const [key, t] of this.triggers) {
      const [experiment, epoch, user] = key.split('|') as [string, string, string];
      const conflicts = t.groups.filter((g) => g !== t.group).length;
      if (conflicts) {
        const o = this.out.sources.activations!.outcomes;
        o.group_conflicts = (o.group_conflicts ?? 0) + conflicts;
        o.counted! -= conflicts;
      }
      const row = countsRowKey(experiment, Number(epoch), t.segment, TRIGGER_ACTION, t.group);
      const c = counts.get(row) ?? {};
      c.triggered = (c.triggered ?? 0) + 1;
      counts.set(row, c);
      const list = byUser.get(user) ?? [];
      list.push({ experiment, epoch: Number(epoch), t });
      byUser.set(user, list);
    }
    const perUser = new Map<string, number>();
    for (const a of this.actionsKept) {
      for (const { experiment, epoch, t } of byUser.get(a.user) ?? []) {
        if (a.ts < t.ts || a.ts > t.ts + EPOCH_MS || a.ts >= epoch + EPOCH_MS) continue;
        if (!(a.action in this.meta.get(experiment)!.actions)) continue;
        const row = countsRowKey(experiment, epoch, t.segment, a.action, t.group);
        const k = `${row}#${a.user}`;
        const before = perUser.get(k) ?? 0;
        perUser.set(k, before + 1);
        const c = counts.get(row) ?? {};
        c.volume = (c.volume ?? 0) + 1;
        c.sum_sq = (c.sum_sq ?? 0) + 2 * before + 1;
        if (before === 0) c.propensity = (c.propensity ?? 0) + 1;
        counts.set(row, c);
      }
    }
    return this.out;
  }
}
