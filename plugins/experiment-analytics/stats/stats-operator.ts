/**
 * `experiment_stats`: always-valid statistics on every update of the experiment counts.
 *
 * Inputs: [counts, metadata]. Counts (an upsert stream, flagship contract §2) are keyed by
 * (experiment_id, epoch_start, segment); metadata (contract §5) is broadcast and does not
 * hold back the watermark. Each counts row is one *look*: an action row re-reads every
 * (metric, treatment) test of that action against control, the trigger row (`_`) re-reads
 * the segment's sequential SRM test. Outputs: stats rows (an upsert stream keyed by
 * `row_key`, contract §3) and, on `alerts`, harm and SRM alerts, each fired once (§4).
 *
 * State per key: the segment's counts cells, the tests' running p-values and looks, the SRM
 * test, the alerts fired, and rows waiting for their metadata; all cleared when the
 * watermark reaches the epoch end + allowed_lateness.
 */
import { APPEND_ONLY, definePlugin, keyText, RecordError, state } from 'sluice/api';
import type { ChangeKind, FieldType, KeyedBatch, OperatorContext, OperatorInstance, ProvenanceRef, Row, StateHandles, TimeDomain } from 'sluice/api';
import { checkExperimentMeta } from '../model/index.ts';
import { emptyFiredAlerts } from './alerts.ts';
import type { FiredAlerts } from './alerts.ts';
import { readCountsRow } from './counts-row.ts';
import type { CountsRow } from './counts-row.ts';
import { actionLook, cellKey, srmLookOf } from './looks.ts';
import type { CountsCell, LookOutput, SrmTestState, TestState } from './looks.ts';
import { MetadataCatalog } from './metadata-catalog.ts';
import type { CatalogSnapshot, SegmentPlan } from './metadata-catalog.ts';
import { statsSpec } from './spec.ts';
import type { StatsConfig } from './spec.ts';

interface Waiting {
  readonly value: Row;
  readonly time: number;
  readonly kind: ChangeKind;
  readonly provenance: ProvenanceRef;
}

const statsState = () => ({
  cells: state.map<string, CountsCell>(),
  tests: state.map<string, TestState>(),
  srm: state.value<SrmTestState>(),
  fired: state.value<FiredAlerts>(),
  waiting: state.list<Waiting>(),
  close_at: state.value<number>(),
});
type Handles = StateHandles<ReturnType<typeof statsState>>;

export const KEY_FIELDS = ['experiment_id', 'epoch_start', 'segment'] as const;

const STATS_FIELDS: Record<string, FieldType> = {
  row_key: 'string', experiment_id: 'string', epoch_start: 'int', segment: 'int', action: 'string', metric: 'string', treatment: 'string',
  delta: 'double', lo: 'double', hi: 'double', lift: 'double', lift_lo: 'double', lift_hi: 'double', p_always_valid: 'double',
  gated: 'string', srm_p: 'double', looks: 'int',
};
const ALERT_FIELDS: Record<string, FieldType> = {
  alert_id: 'string', kind: 'string', experiment_id: 'string', epoch_start: 'int', segment: 'int', action: 'string', metric: 'string',
  treatment: 'string', direction: 'string', threshold: 'double', p_always_valid: 'double', delta: 'double', lo: 'double', hi: 'double',
  looks: 'int', ts: 'int',
};

export const experimentStatsPlugin = definePlugin({
  kind: 'operator',
  name: 'experiment_stats',
  summary: 'Always-valid experiment statistics (mSPRT, sequential SRM) and harm/SRM alerts on every update of the counts.',
  description:
    'Inputs: [counts, metadata]. Counts rows (`experiment_counts`, an upsert stream) are keyed by (experiment_id, epoch_start, ' +
    'segment); the metadata (the `experiment_traffic` metadata records) is broadcast. Every counts row is a look: an action row ' +
    're-reads each treatment against control for that action (difference and relative lift of the per-user volume and of the ' +
    'propensity, with always-valid intervals), the trigger row `_` re-reads the sequential SRM test against the segment\'s planned ' +
    'weights. Output: stats rows keyed by `row_key`; named output `alerts`: harm (α/m, in the action\'s bad direction) and SRM ' +
    'alerts, once each, with deterministic ids. Method: docs/statistics.md.',
  spec: statsSpec,
  inputs: { min: 2, max: 2 },
  keyed: true,
  consumesUpserts: true,
  state: statsState,
  plan(config, inputs) {
    const upstream = inputs[0]?.allowedLateness ?? 0;
    const allowedLateness = Math.max(upstream, config.allowed_lateness);
    return {
      keys: [KEY_FIELDS, []],
      broadcastInputs: [1],
      output: { fields: STATS_FIELDS, key: ['row_key'], changelog: { mode: 'upsert', key: ['row_key'] }, allowedLateness },
      outputs: { alerts: { fields: ALERT_FIELDS, changelog: APPEND_ONLY, allowedLateness } },
      issues: config.allowed_lateness < upstream
        ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than the counts input's (${upstream} ms): a closed epoch would send its late updates to the late output` }]
        : [],
    };
  },
  create({ config, state: handles }) {
    return new StatsOperator(config, handles);
  },
});

class StatsOperator implements OperatorInstance {
  private readonly catalog: MetadataCatalog;
  private readonly cellsOf = (key: string) => this.s.cells.get(key);
  private readonly testsOf = (key: string) => this.s.tests.get(key);

  constructor(private readonly config: StatsConfig, private readonly s: Handles) {
    this.catalog = new MetadataCatalog(config.srm_concentration);
  }

  /** A counts row (input 0, keyed: the runtime set its key and time). */
  processRecord(batch: KeyedBatch, i: number, _input: number, ctx: OperatorContext): void {
    const { values, times, kinds, keys, provenance } = batch;
    let row: CountsRow;
    try {
      row = readCountsRow(values[i]!);
    } catch (error) {
      ctx.fail(i, error);
      return;
    }
    const waiting: Waiting = { value: values[i]!, time: times[i]!, kind: kinds?.[i] ?? 'insert', provenance: provenance?.[i] };
    const plan = this.catalog.plan(row.experimentId, row.epochStart, row.segment);
    if (this.s.waiting.get().length > 0 || !plan) this.wait(waiting, row, keyText(keys![i]!), ctx);
    else this.apply(row, waiting, plan, ctx);
  }

  /** Metadata rows (input 1, broadcast). */
  processBatch(batch: KeyedBatch, _input: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++) this.metadata(batch.values[i]!, i, ctx);
  }

  onTimer(timestamp: number, key: string, _domain: TimeDomain, ctx: OperatorContext): void {
    if (this.s.close_at.get() === timestamp) {
      for (const handle of [this.s.cells, this.s.tests, this.s.srm, this.s.fired, this.s.waiting, this.s.close_at]) handle.clear();
      return;
    }
    const list = this.s.waiting.get();
    if (list.length === 0) return;
    const due = list.filter((w) => w.time + this.config.metadata_max_wait <= ctx.watermark);
    if (due.length === 0) return;
    const rest = list.filter((w) => w.time + this.config.metadata_max_wait > ctx.watermark);
    for (const w of due) ctx.deadLetter(w.value, this.unknown(w.value), w.provenance);
    if (rest.length) this.s.waiting.update(rest);
    else {
      this.s.waiting.clear();
      this.catalog.unmarkPending(String(w0(list).value.experiment_id), key);
    }
  }

  snapshot(): CatalogSnapshot {
    return this.catalog.snapshot();
  }

  restore(snapshot: unknown): void {
    this.catalog.restore(snapshot as CatalogSnapshot);
  }

  private metadata(value: Row, i: number, ctx: OperatorContext): void {
    try {
      this.catalog.put(checkExperimentMeta(value));
    } catch (error) {
      ctx.fail(i, error);
      return;
    }
    ctx.forKeys(this.catalog.pendingKeys(value.experiment_id as string), undefined, this.drainVisit);
  }

  /** `drain` for `ctx.forKeys`, which made the key current. */
  private readonly drainVisit = (_i: number, ctx: OperatorContext): void => this.drain(keyText(ctx.currentKey!), ctx);

  /** Replays the key's waiting rows, in arrival order, as far as their metadata is known. */
  private drain(key: string, ctx: OperatorContext): void {
    const list = this.s.waiting.get();
    let done = 0;
    for (; done < list.length; done++) {
      const w = list[done]!;
      const row = readCountsRow(w.value);
      const plan = this.catalog.plan(row.experimentId, row.epochStart, row.segment);
      if (!plan) break;
      this.apply(row, w, plan, ctx);
    }
    if (done === 0) return;
    if (done < list.length) this.s.waiting.update(list.slice(done));
    else {
      this.s.waiting.clear();
      this.catalog.unmarkPending(String(w0(list).value.experiment_id), key);
    }
  }

  private wait(w: Waiting, row: CountsRow, key: string, ctx: OperatorContext): void {
    const plan = this.catalog.plan(row.experimentId, row.epochStart, row.segment);
    if (plan && this.s.waiting.get().length > 0) this.drain(key, ctx);
    if (plan && this.s.waiting.get().length === 0) return this.apply(row, w, plan, ctx);
    const deadline = w.time + this.config.metadata_max_wait;
    if (deadline <= ctx.watermark) return ctx.deadLetter(w.value, this.unknown(w.value), w.provenance);
    this.s.waiting.add(w);
    this.catalog.markPending(row.experimentId, key);
    ctx.timers.registerEventTimeTimer(deadline);
    ctx.count('waiting_for_metadata');
  }

  private unknown(value: Row): RecordError {
    const experimentId = String(value.experiment_id);
    return this.catalog.hasExperiment(experimentId)
      ? new RecordError('unknown_segment', `no metadata of ${experimentId} knows epoch ${String(value.epoch_start)} segment ${String(value.segment)}`)
      : new RecordError('unknown_experiment', `no metadata for experiment ${experimentId}`);
  }

  /** One look: update the cell, re-read the affected tests, emit their rows and alerts. */
  private apply(row: CountsRow, w: Waiting, plan: SegmentPlan, ctx: OperatorContext): void {
    const closeAt = plan.epochEnd + this.config.allowed_lateness;
    if (closeAt <= ctx.watermark) return ctx.late(w.value, w.time, 'epoch_closed', w.provenance);
    if (this.s.close_at.get() === undefined) {
      this.s.close_at.set(closeAt);
      ctx.timers.registerEventTimeTimer(closeAt);
    }
    const cell = cellKey(row.action, row.group);
    if (w.kind === 'delete') this.s.cells.delete(cell);
    else this.s.cells.set(cell, row.cell);
    const fired = this.s.fired.get() ?? emptyFiredAlerts();
    let out: LookOutput;
    if (row.action === '_') {
      const look = srmLookOf(plan, this.cellsOf, this.s.srm.get(), fired, w.time);
      this.s.srm.set(look.state);
      if (look.fired !== fired) this.s.fired.set(look.fired);
      out = look.out;
    } else {
      const srm = this.s.srm.get();
      const srmP = srm && plan.srmPrior ? srm.pValue : null;
      const look = actionLook(plan, row.action, this.cellsOf, this.testsOf, fired, srmP, w.time);
      for (const [key, test] of look.tests) this.s.tests.set(key, test);
      if (look.fired !== fired) this.s.fired.set(look.fired);
      out = look.out;
    }
    for (const r of out.rows) ctx.emit(r.row, w.time, r.first ? 'insert' : 'update');
    for (const a of out.alerts) ctx.emitTo('alerts', a, w.time);
    ctx.count('looks');
  }
}

const w0 = (list: readonly Waiting[]): Waiting => list[0]!;
