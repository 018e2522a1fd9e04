/**
 * `first_trigger`: a user's first trigger per experiment epoch (docs/architecture.md §8), a keyed
 * function run by `keyed_process` keyed by `[user_id, experiment_id]`.
 *
 * Each activation carries its experiment's metadata (an upstream `broadcast` attaches the
 * version in force at its event time; any version that knows the ramps up to `ts` answers
 * `epochOf` the same). Per key, state holds one slot per open epoch: the earliest
 * activation so far (ties: arrival order) and, until it is emitted, how many activations
 * each group had. An event-time timer at the trigger's time emits it once the watermark
 * passes it; another timer at epoch end + allowed lateness drops the slot, so nothing is
 * kept past the epoch plus the allowance.
 *
 * Outcomes: outside every epoch → counter `untracked_triggers`; earlier than an emitted
 * trigger → late output, reason `trigger_superseded`; another group than the (final) first
 * trigger's → counter `group_conflicts` (counted at emission for the activations seen
 * before it, at arrival after); everything else is counted. Output rows (append-only):
 * `{event_id, user_id, experiment_id, group, epoch_start, epoch_end, segment, ts, actions}`
 * — the contract's fields plus `actions`, the tracked actions of the experiment (its
 * metadata's action → direction map), which the join uses to keep only tracked actions.
 */
import { defineKeyedFunction, parseDuration, state } from 'sluice/api';
import type { ProvenanceRef, Row } from 'sluice/api';
import { EpochIndex } from '../model/index.ts';
import type { ExperimentMeta } from '../model/index.ts';
import { firstTriggerOptions } from './spec.ts';
import type { FirstTriggerOptions } from './spec.ts';

/** The state of one (user, experiment, epoch). */
export interface TriggerSlot {
  ts: number;
  event_id: string;
  user_id: string;
  experiment_id: string;
  group: string;
  segment: number;
  epoch_end: number;
  actions: Readonly<Record<string, string>>;
  provenance: ProvenanceRef;
  emitted: boolean;
  /** Activations per group until the trigger is emitted (then dropped). */
  groups: Record<string, number> | undefined;
}

const indexes = new WeakMap<object, EpochIndex>();

/** The epoch index of a metadata object, built once per object (the broadcast shares it). */
function indexOf(meta: ExperimentMeta): EpochIndex {
  let index = indexes.get(meta);
  if (index === undefined) indexes.set(meta, (index = new EpochIndex(meta)));
  return index;
}

const lateness = new WeakMap<object, number>();
function allowedLateness(options: FirstTriggerOptions): number {
  let ms = lateness.get(options);
  if (ms === undefined) {
    ms = parseDuration(options.allowed_lateness ?? '10m');
    if (ms === undefined || ms < 0) throw new Error(`first_trigger: allowed_lateness '${String(options.allowed_lateness)}' is not a duration`);
    lateness.set(options, ms);
  }
  return ms;
}

export const firstTrigger = defineKeyedFunction({
  name: 'first_trigger',
  summary: "Emits each user's first activation per experiment epoch once the watermark passes it (docs/architecture.md §8).",
  spec: firstTriggerOptions,
  state: () => ({ slots: state.map<number, TriggerSlot>() }),
  processElement(value: Row, ctx) {
    const options = ctx.options as FirstTriggerOptions;
    const meta = value[options.metadata_field ?? 'metadata'] as ExperimentMeta | undefined;
    if (meta === undefined || meta === null) throw new Error(`activation without '${options.metadata_field ?? 'metadata'}' (is a broadcast upstream?)`);
    const ts = ctx.timestamp;
    const slot = indexOf(meta).lookup(ts);
    if (slot === undefined) {
      ctx.count('untracked_triggers');
      return;
    }
    const group = value.group as string;
    const slots = ctx.state.slots;
    const current = slots.get(slot.epoch_start);
    if (current === undefined) {
      slots.set(slot.epoch_start, {
        ts, event_id: value.event_id as string, user_id: value.user_id as string, experiment_id: value.experiment_id as string, group, segment: slot.segment, epoch_end: slot.epoch_end,
        actions: meta.actions, provenance: ctx.provenance, emitted: false, groups: { [group]: 1 },
      });
      ctx.timers.registerEventTimeTimer(ts);
      ctx.timers.registerEventTimeTimer(slot.epoch_end + allowedLateness(options));
      return;
    }
    if (current.emitted) {
      if (ts < current.ts) ctx.late('trigger_superseded');
      else if (group !== current.group) ctx.count('group_conflicts');
      return;
    }
    const groups = current.groups!;
    groups[group] = (groups[group] ?? 0) + 1;
    if (ts < current.ts) {
      current.ts = ts;
      current.event_id = value.event_id as string;
      current.group = group;
      current.segment = slot.segment;
      current.provenance = ctx.provenance;
      ctx.timers.registerEventTimeTimer(ts);
    }
    slots.set(slot.epoch_start, current);
  },
  onTimer(timestamp, ctx) {
    const slots = ctx.state.slots;
    let done: number[] | undefined;
    let changed: [number, TriggerSlot][] | undefined;
    for (const [epochStart, s] of slots.entries()) {
      if (!s.emitted && s.ts <= timestamp) {
        let conflicts = 0;
        for (const g in s.groups) if (g !== s.group) conflicts += s.groups[g]!;
        if (conflicts > 0) ctx.count('group_conflicts', conflicts);
        ctx.emit(
          { event_id: s.event_id, user_id: s.user_id, experiment_id: s.experiment_id, group: s.group, epoch_start: epochStart, epoch_end: s.epoch_end, segment: s.segment, ts: s.ts, actions: s.actions },
          s.ts, 'insert', s.provenance,
        );
        s.emitted = true;
        s.groups = undefined;
        (changed ??= []).push([epochStart, s]);
      }
      if (s.epoch_end + allowedLateness(ctx.options as FirstTriggerOptions) <= timestamp) (done ??= []).push(epochStart);
    }
    if (changed) for (const [k, s] of changed) slots.set(k, s);
    if (done) for (const k of done) slots.delete(k);
  },
});
