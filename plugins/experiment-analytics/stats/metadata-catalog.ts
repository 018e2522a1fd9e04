/**
 * The broadcast side of `experiment_stats`: every metadata version of every experiment (side
 * inputs are small), the plan of each (experiment, epoch, segment) derived from them, and
 * which keys hold counts rows waiting for metadata. Operator-local, snapshotted whole.
 */
import { segmentsOf } from '../model/index.ts';
import type { Direction, ExperimentMeta, Segment } from '../model/index.ts';
import { statsRowKey, TRIGGER_ACTION } from '../model/index.ts';
import type { FamilySize } from './alerts.ts';
import { SrmPrior } from './srm.ts';
import { prepareMsprtSettings } from './msprt.ts';
import type { PreparedMsprtSettings } from './msprt.ts';
import { cellKey, testKey } from './keys.ts';

/** Everything the statistics of one (experiment, epoch, segment) need, fixed before launch. */
export interface SegmentPlan {
  readonly experimentId: string;
  readonly epochStart: number;
  readonly epochEnd: number;
  readonly segment: number;
  readonly control: string;
  /** Every group but the control, in metadata order. */
  readonly treatments: readonly string[];
  /** Groups with a planned weight > 0 in this segment, and those weights (the SRM test's). */
  readonly srmGroups: readonly string[];
  readonly srmWeights: readonly number[];
  /** The SRM test's prior over `srmGroups`; undefined with fewer than two such groups. */
  readonly srmPrior: SrmPrior | undefined;
  /** Trigger-row cell keys of `srmGroups`. */
  readonly srmCells: readonly string[];
  readonly alpha: number;
  readonly nStar: number;
  /** α and N* with r* and log α computed once, for every look of the segment. */
  readonly msprt: PreparedMsprtSettings;
  readonly directions: Readonly<Record<string, Direction>>;
  /** Bonferroni family of the harm alerts: actions with a direction × 2 metrics × treatments. */
  readonly family: FamilySize;
  /** Stats row key of the SRM test. */
  readonly srmRowKey: string;
  /** Keys of one action, built once per segment (see `ActionKeys`). */
  keysOf(action: string): ActionKeys;
}

/**
 * Keys the looks of one action use, so a look builds no strings: `cells[0]` / `triggers[0]`
 * are the control's action and trigger cells, `[1 + t]` treatment t's; `rows` and `tests`
 * are indexed `2·t + m` with m the metric (0 volume, 1 propensity).
 */
export interface ActionKeys {
  readonly cells: readonly string[];
  readonly triggers: readonly string[];
  readonly rows: readonly string[];
  readonly tests: readonly string[];
}

const METRIC_NAMES = ['volume', 'propensity'] as const;

export interface CatalogSnapshot {
  readonly versions: [string, ExperimentMeta[]][];
  readonly pending: [string, string[]][];
}

interface Known {
  readonly versions: ExperimentMeta[];
  /** segmentsOf each version, same order, computed on demand. */
  readonly segments: (Segment[] | undefined)[];
}

const planKey = (experimentId: string, epochStart: number, segment: number) => `${experimentId}|${epochStart}|${segment}`;

export class MetadataCatalog {
  private readonly known = new Map<string, Known>();
  private readonly plans = new Map<string, SegmentPlan>();
  /** experiment id → keys with buffered counts rows. */
  private readonly pending = new Map<string, Set<string>>();

  /** `srmConcentration`: the SRM prior's c (config `srm_concentration`). */
  constructor(private readonly srmConcentration: number) {}

  hasExperiment(experimentId: string): boolean {
    return this.known.has(experimentId);
  }

  /** Adds a version (one with the same `effective_from` replaces it) and forgets derived plans. */
  put(meta: ExperimentMeta): void {
    let known = this.known.get(meta.experiment_id);
    if (!known) this.known.set(meta.experiment_id, (known = { versions: [], segments: [] }));
    const { versions, segments } = known;
    let i = versions.length;
    while (i > 0 && versions[i - 1]!.effective_from > meta.effective_from) i--;
    if (i > 0 && versions[i - 1]!.effective_from === meta.effective_from) {
      versions[i - 1] = meta;
      segments[i - 1] = undefined;
    } else {
      versions.splice(i, 0, meta);
      segments.splice(i, 0, undefined);
    }
    const prefix = `${meta.experiment_id}|`;
    for (const key of this.plans.keys()) if (key.startsWith(prefix)) this.plans.delete(key);
  }

  /**
   * The plan of a segment, from the version in force at the segment's start (the latest
   * with `effective_from` ≤ it that knows the segment), else the latest version that knows
   * it; undefined when no version knows it yet.
   */
  plan(experimentId: string, epochStart: number, segment: number): SegmentPlan | undefined {
    const key = planKey(experimentId, epochStart, segment);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const known = this.known.get(experimentId);
    if (!known) return undefined;
    let chosen: { meta: ExperimentMeta; seg: Segment } | undefined;
    for (let i = known.versions.length - 1; i >= 0; i--) {
      const segs = (known.segments[i] ??= segmentsOf(known.versions[i]!));
      const seg = segs.find((s) => s.epoch_start === epochStart && s.segment === segment);
      if (!seg) continue;
      const meta = known.versions[i]!;
      if (!chosen) chosen = { meta, seg };
      if (meta.effective_from <= seg.segment_start) {
        chosen = { meta, seg };
        break;
      }
    }
    if (!chosen) return undefined;
    const plan = planOf(chosen.meta, chosen.seg, this.srmConcentration);
    this.plans.set(key, plan);
    return plan;
  }

  markPending(experimentId: string, key: string): void {
    let keys = this.pending.get(experimentId);
    if (!keys) this.pending.set(experimentId, (keys = new Set()));
    keys.add(key);
  }

  unmarkPending(experimentId: string, key: string): void {
    const keys = this.pending.get(experimentId);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.pending.delete(experimentId);
  }

  /** Keys with rows buffered for `experimentId`, in the order they started waiting. */
  pendingKeys(experimentId: string): string[] {
    return [...(this.pending.get(experimentId) ?? [])];
  }

  snapshot(): CatalogSnapshot {
    return {
      versions: [...this.known].map(([id, k]) => [id, [...k.versions]]),
      pending: [...this.pending].map(([id, keys]) => [id, [...keys]]),
    };
  }

  restore(snapshot: CatalogSnapshot): void {
    this.known.clear();
    this.plans.clear();
    this.pending.clear();
    for (const [, versions] of snapshot.versions) for (const meta of versions) this.put(meta);
    for (const [id, keys] of snapshot.pending) this.pending.set(id, new Set(keys));
  }
}

function planOf(meta: ExperimentMeta, seg: Segment, srmConcentration: number): SegmentPlan {
  const treatments = meta.groups.filter((g) => g !== meta.control);
  const srmGroups = meta.groups.filter((g) => (seg.weights[g] ?? 0) > 0);
  const alerting = Object.values(meta.actions).filter((d) => d !== 'none').length;
  const srmWeights = srmGroups.map((g) => seg.weights[g]!);
  const byAction = new Map<string, ActionKeys>();
  const rowKey = (action: string, metric: string, treatment: string) => statsRowKey(meta.experiment_id, seg.epoch_start, seg.segment, action, metric, treatment);
  const groups = [meta.control, ...treatments];
  return {
    experimentId: meta.experiment_id,
    epochStart: seg.epoch_start,
    epochEnd: seg.epoch_end,
    segment: seg.segment,
    control: meta.control,
    treatments,
    srmGroups,
    srmWeights,
    srmCells: srmGroups.map((g) => cellKey(TRIGGER_ACTION, g)),
    srmPrior: srmGroups.length >= 2 ? new SrmPrior(srmWeights, srmConcentration) : undefined,
    alpha: meta.alpha,
    nStar: meta.n_star,
    msprt: prepareMsprtSettings({ alpha: meta.alpha, horizonPerArm: meta.n_star }),
    directions: meta.actions,
    family: { actions: Math.max(1, alerting), metrics: 2, treatments: Math.max(1, treatments.length) },
    srmRowKey: rowKey(TRIGGER_ACTION, 'srm', TRIGGER_ACTION),
    keysOf(action) {
      let keys = byAction.get(action);
      if (!keys) {
        byAction.set(action, (keys = {
          cells: groups.map((g) => cellKey(action, g)),
          triggers: groups.map((g) => cellKey(TRIGGER_ACTION, g)),
          rows: treatments.flatMap((t) => METRIC_NAMES.map((m) => rowKey(action, m, t))),
          tests: treatments.flatMap((t) => METRIC_NAMES.map((m) => testKey(action, m, t))),
        }));
      }
      return keys;
    },
  };
}
