/**
 * Collects the experiment dashboard's data (types.ts) from the streams the report sink
 * sees: per test, each stats update becomes a point at the segment's current number of
 * triggered users, so the always-valid intervals can be drawn narrowing as users arrive.
 * Counts and stats arrive through separate sinks, so a point's x is the count as the counts
 * part had it then (at most a batch apart). A series keeps at most `maxPoints` points:
 * past that, every other older point is dropped (the latest always stays).
 */
import type { Row } from 'sluice/api';
import { segmentsOf } from '../model/index.ts';
import type { Ramp } from '../model/index.ts';
import type { DashboardData, DashboardEpoch, DashboardSegment, DashboardSeries, SeriesPoint } from './types.ts';

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
/** Four significant digits are plenty for a chart and keep the file small. */
const r4 = (v: unknown): number | null => {
  const x = n(v);
  return x === null ? null : Number(x.toPrecision(4));
};

export class DashboardHistory {
  private readonly epochs = new Map<string, DashboardEpoch>();
  private readonly segments = new Map<string, DashboardSegment>();
  private readonly series = new Map<string, DashboardSeries>();
  private readonly metadata = new Map<string, Row>();
  /** Bumped on every change, so the writer knows whether to write. */
  version = 0;

  constructor(private readonly maxPoints = 120) {}

  private epoch(r: Row): DashboardEpoch {
    const key = `${String(r.experiment_id)}|${String(r.epoch_start)}`;
    let e = this.epochs.get(key);
    if (!e) this.epochs.set(key, (e = { experiment: String(r.experiment_id), epochStart: Number(r.epoch_start), segments: [], alerts: [] }));
    return e;
  }

  private segment(r: Row): DashboardSegment {
    const key = `${String(r.experiment_id)}|${String(r.epoch_start)}|${String(r.segment)}`;
    let s = this.segments.get(key);
    if (!s) {
      s = { segment: Number(r.segment), triggered: {}, srm: [], series: [] };
      this.segments.set(key, s);
      const e = this.epoch(r);
      e.segments.push(s);
      e.segments.sort((a, b) => a.segment - b.segment);
    }
    return s;
  }

  private users(s: DashboardSegment): number {
    let total = 0;
    for (const v of Object.values(s.triggered)) total += v;
    return total;
  }

  counts(r: Row): void {
    if (r.action !== '_') return;
    this.segment(r).triggered[String(r.group)] = n(r.triggered) ?? 0;
    this.version++;
  }

  stats(r: Row): void {
    const s = this.segment(r);
    const users = this.users(s);
    if (r.metric === 'srm') {
      const p = n(r.srm_p);
      if (p !== null) push(s.srm, [users, Number(p.toPrecision(4))], this.maxPoints);
      this.version++;
      return;
    }
    const key = `${String(r.experiment_id)}|${String(r.epoch_start)}|${String(r.segment)}|${String(r.action)}|${String(r.metric)}|${String(r.treatment)}`;
    let series = this.series.get(key);
    if (!series) {
      series = { action: String(r.action), metric: String(r.metric), treatment: String(r.treatment), points: [] };
      this.series.set(key, series);
      s.series.push(series);
    }
    series.gated = typeof r.gated === 'string' ? r.gated : null;
    const point: SeriesPoint = [users, r4(r.delta), r4(r.lo), r4(r.hi), r4(r.lift), r4(r.lift_lo), r4(r.lift_hi), r4(r.p_always_valid)];
    if (point.slice(1).some((v) => v !== null)) push(series.points, point, this.maxPoints);
    this.version++;
  }

  alert(a: Row): void {
    const s = this.segment(a);
    const users = this.users(s);
    this.epoch(a).alerts.push({ id: String(a.alert_id), kind: String(a.kind), segment: Number(a.segment), action: String(a.action), metric: String(a.metric), treatment: String(a.treatment), p: n(a.p_always_valid), users, ts: Number(a.ts) });
    if (a.kind === 'harm') {
      const series = this.series.get(`${String(a.experiment_id)}|${String(a.epoch_start)}|${String(a.segment)}|${String(a.action)}|${String(a.metric)}|${String(a.treatment)}`);
      if (series && series.firstAlarm === undefined) {
        series.firstAlarm = users;
        const level = n(a.threshold);
        if (level !== null) series.alarmLevel = level;
      }
    }
    this.version++;
  }

  meta(m: Row): void {
    const id = String(m.experiment_id);
    const before = this.metadata.get(id);
    if (!before || Number(before.ts) <= Number(m.ts)) this.metadata.set(id, m);
    this.version++;
  }

  /** The data as it is now, metadata (planned split, α, N*) filled in. */
  data(now = Date.now()): DashboardData {
    for (const e of this.epochs.values()) {
      const m = this.metadata.get(e.experiment);
      if (!m) continue;
      if (typeof m.control === 'string') e.control = m.control;
      if (n(m.alpha) !== null) e.alpha = n(m.alpha)!;
      if (n(m.n_star) !== null) e.nStar = n(m.n_star)!;
      if (!Array.isArray(m.ramps)) continue;
      for (const slot of segmentsOf({ ramps: m.ramps as Ramp[] })) {
        if (slot.epoch_start !== e.epochStart) continue;
        const s = e.segments.find((x) => x.segment === slot.segment);
        if (s) {
          s.planned = { ...slot.weights };
          s.start = slot.segment_start;
        }
      }
    }
    return { format: 'sluice.experiment-dashboard/v1', updatedAt: now, epochs: [...this.epochs.values()] };
  }
}

/** Appends a point, replacing the last one at the same x; thins the older half when full. */
function push<T extends [number, ...unknown[]]>(points: T[], point: T, max: number): void {
  const last = points[points.length - 1];
  if (last && last[0] === point[0]) points[points.length - 1] = point;
  else points.push(point);
  if (points.length > max) {
    const half = Math.floor(points.length / 2);
    const thinned = points.slice(0, half).filter((_, i) => i % 2 === 0);
    points.splice(0, half, ...thinned);
  }
}
