/**
 * What one experiment report collects, and its per-epoch, per-segment view. The counts and
 * stats streams are upserts applied by `row_key`; alerts are kept in arrival order; the
 * metadata part (optional) keeps the latest version per experiment, for the planned split,
 * α and N*.
 */
import type { Batch, ChangeKind, Row } from 'sluice/api';
import { segmentsOf } from '../model/index.ts';
import type { Ramp } from '../model/index.ts';

export type ReportPart = 'counts' | 'stats' | 'alerts' | 'metadata';

export class ReportData {
  readonly counts = new Map<string, Row>();
  readonly stats = new Map<string, Row>();
  readonly alerts: Row[] = [];
  /** experiment id → its latest metadata version (by `ts`). */
  readonly metadata = new Map<string, Row>();

  apply(part: ReportPart, value: Row, kind: ChangeKind): void {
    if (part === 'alerts') this.alerts.push(value);
    else if (part === 'metadata') this.keepMetadata(value);
    else {
      const table = part === 'counts' ? this.counts : this.stats;
      const key = String(value.row_key);
      if (kind === 'delete') table.delete(key);
      else table.set(key, value);
    }
  }

  /** `apply` for every record of a batch: the part's table chosen once, keys taken as they are when text. */
  applyBatch(part: ReportPart, batch: Batch): void {
    const { values, kinds, length } = batch;
    if (part === 'alerts' || part === 'metadata') {
      for (let i = 0; i < length; i++) this.apply(part, values[i]!, 'insert');
      return;
    }
    const table = part === 'counts' ? this.counts : this.stats;
    for (let i = 0; i < length; i++) {
      const value = values[i]!;
      const k = value.row_key;
      const key = typeof k === 'string' ? k : String(k);
      if (kinds !== undefined && kinds[i] === 'delete') table.delete(key);
      else table.set(key, value);
    }
  }

  private keepMetadata(value: Row): void {
    const id = String(value.experiment_id);
    const before = this.metadata.get(id);
    if (!before || Number(before.ts) <= Number(value.ts)) this.metadata.set(id, value);
  }
}

/** One segment of an epoch: its counts per group and action, its stats, its SRM row. */
export interface SegmentView {
  readonly segment: number;
  /** group → triggered users */
  readonly triggered: Map<string, number>;
  /** action → group → [volume, propensity (users with the action)] */
  readonly actions: Map<string, Map<string, [number, number]>>;
  /** `action|metric|treatment` → stats row */
  readonly stats: Map<string, Row>;
  srm: Row | undefined;
  /** Planned weights (from the metadata) and when the segment started, if known. */
  planned: Readonly<Record<string, number>> | undefined;
  start: number | undefined;
}

export interface EpochView {
  readonly experiment: string;
  readonly epochStart: number;
  readonly segments: Map<number, SegmentView>;
  readonly alerts: Row[];
  readonly meta: Row | undefined;
}

export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;

/** Every epoch of the data, segments filled from counts, stats and metadata. */
export function epochViews(data: ReportData): EpochView[] {
  const byEpoch = new Map<string, EpochView>();
  const epoch = (experiment: string, epochStart: number): EpochView => {
    const id = `${experiment}|${epochStart}`;
    let v = byEpoch.get(id);
    if (!v) byEpoch.set(id, (v = { experiment, epochStart, segments: new Map(), alerts: [], meta: data.metadata.get(experiment) }));
    return v;
  };
  const segment = (r: Row): SegmentView => {
    const v = epoch(String(r.experiment_id), Number(r.epoch_start));
    const n = Number(r.segment);
    let s = v.segments.get(n);
    if (!s) v.segments.set(n, (s = { segment: n, triggered: new Map(), actions: new Map(), stats: new Map(), srm: undefined, planned: undefined, start: undefined }));
    return s;
  };
  for (const r of data.counts.values()) {
    const s = segment(r);
    const group = String(r.group);
    if (r.action === '_') s.triggered.set(group, num(r.triggered) ?? 0);
    else {
      const action = String(r.action);
      let g = s.actions.get(action);
      if (!g) s.actions.set(action, (g = new Map()));
      g.set(group, [num(r.volume) ?? 0, num(r.propensity) ?? 0]);
    }
  }
  for (const r of data.stats.values()) {
    const s = segment(r);
    if (r.metric === 'srm') s.srm = r;
    else s.stats.set(`${String(r.action)}|${String(r.metric)}|${String(r.treatment)}`, r);
  }
  for (const a of data.alerts) epoch(String(a.experiment_id), Number(a.epoch_start)).alerts.push(a);
  for (const v of byEpoch.values()) {
    const ramps = v.meta?.ramps;
    if (!Array.isArray(ramps)) continue;
    for (const slot of segmentsOf({ ramps: ramps as Ramp[] })) {
      const s = slot.epoch_start === v.epochStart ? v.segments.get(slot.segment) : undefined;
      if (s) {
        s.planned = slot.weights;
        s.start = slot.segment_start;
      }
    }
  }
  return [...byEpoch.values()];
}
