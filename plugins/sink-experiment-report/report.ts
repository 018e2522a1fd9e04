/**
 * The experiment report: counts, stats and alerts of a run folded into a text a person can
 * read. Per experiment and epoch: its groups with triggered users and volume per action
 * (summed over the epoch's segments: a user is in one segment per epoch), the relative lift
 * of the per-user rate with its always-valid interval (the latest segment's), the SRM
 * p-value, and the alerts.
 */
import type { Batch, ChangeKind, Row } from '../../core/api/index.ts';

/** What one report collects: upsert streams applied by `row_key`, alerts in arrival order. */
export class ReportData {
  readonly counts = new Map<string, Row>();
  readonly stats = new Map<string, Row>();
  readonly alerts: Row[] = [];

  apply(part: 'counts' | 'stats' | 'alerts', value: Row, kind: ChangeKind): void {
    if (part === 'alerts') {
      this.alerts.push(value);
      return;
    }
    const table = part === 'counts' ? this.counts : this.stats;
    const key = String(value.row_key);
    if (kind === 'delete') table.delete(key);
    else table.set(key, value);
  }

  /** `apply` for every record of a batch: the part's table chosen once, keys taken as they are when text. */
  applyBatch(part: 'counts' | 'stats' | 'alerts', batch: Batch): void {
    const { values, kinds, length } = batch;
    if (part === 'alerts') {
      for (let i = 0; i < length; i++) this.alerts.push(values[i]!);
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
}

interface EpochView {
  experiment: string;
  epochStart: number;
  segments: Set<number>;
  triggered: Map<string, number>;
  /** action → group → volume */
  volume: Map<string, Map<string, number>>;
  /** `action|metric|treatment` → the stats row of the latest segment */
  stats: Map<string, Row>;
  srm: Row | undefined;
  alerts: Row[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const int = (n: number): string => n.toLocaleString('en-US');
const pct = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'n/a' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;
};
const p = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'n/a' : n < 0.0001 ? n.toExponential(1) : n.toFixed(4);
};
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';

function views(data: ReportData): EpochView[] {
  const byEpoch = new Map<string, EpochView>();
  const view = (experiment: string, epochStart: number): EpochView => {
    const id = `${experiment}|${epochStart}`;
    let v = byEpoch.get(id);
    if (!v) byEpoch.set(id, (v = { experiment, epochStart, segments: new Set(), triggered: new Map(), volume: new Map(), stats: new Map(), srm: undefined, alerts: [] }));
    return v;
  };
  for (const r of data.counts.values()) {
    const v = view(String(r.experiment_id), Number(r.epoch_start));
    v.segments.add(Number(r.segment));
    const group = String(r.group);
    if (r.action === '_') v.triggered.set(group, (v.triggered.get(group) ?? 0) + (num(r.triggered) ?? 0));
    else {
      const action = String(r.action);
      let g = v.volume.get(action);
      if (!g) v.volume.set(action, (g = new Map()));
      g.set(group, (g.get(group) ?? 0) + (num(r.volume) ?? 0));
    }
  }
  for (const r of data.stats.values()) {
    const v = view(String(r.experiment_id), Number(r.epoch_start));
    const segment = Number(r.segment);
    if (r.metric === 'srm') {
      if (!v.srm || Number(v.srm.segment) < segment) v.srm = r;
      continue;
    }
    const id = `${String(r.action)}|${String(r.metric)}|${String(r.treatment)}`;
    const before = v.stats.get(id);
    if (!before || Number(before.segment) < segment) v.stats.set(id, r);
  }
  for (const a of data.alerts) view(String(a.experiment_id), Number(a.epoch_start)).alerts.push(a);
  return [...byEpoch.values()];
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** The report as text. */
export function formatReport(data: ReportData, maxExperiments: number): string {
  const all = views(data);
  const experiments = new Map<string, EpochView[]>();
  for (const v of all) experiments.set(v.experiment, [...(experiments.get(v.experiment) ?? []), v]);
  const ranked = [...experiments].sort((a, b) => b[1].reduce((n, v) => n + total(v.triggered), 0) - a[1].reduce((n, v) => n + total(v.triggered), 0) || (a[0] < b[0] ? -1 : 1));
  const harm = data.alerts.filter((a) => a.kind === 'harm').length;
  const srm = data.alerts.filter((a) => a.kind === 'srm').length;
  const lines = [`Experiment analytics: ${experiments.size} experiments, ${all.length} epochs, ${data.counts.size} count rows, ${data.stats.size} stats rows; alerts: ${harm} harm, ${srm} SRM`];
  for (const [experiment, epochs] of ranked.slice(0, maxExperiments)) {
    for (const v of epochs.sort((a, b) => a.epochStart - b.epochStart)) lines.push('', ...formatEpoch(experiment, v));
  }
  if (ranked.length > maxExperiments) lines.push('', `… and ${ranked.length - maxExperiments} more experiments (every row is in the results tables).`);
  return lines.join('\n') + '\n';
}

function formatEpoch(experiment: string, v: EpochView): string[] {
  const treatments = new Set([...v.stats.values()].map((r) => String(r.treatment)));
  const groups = [...new Set([...v.triggered.keys(), ...[...v.volume.values()].flatMap((m) => [...m.keys()])])].sort((a, b) => Number(treatments.has(a)) - Number(treatments.has(b)) || (a < b ? -1 : 1));
  const control = treatments.size ? groups.find((g) => !treatments.has(g)) : undefined;
  const cell = (m: Map<string, number> | undefined) => groups.map((g) => `${g} ${int(m?.get(g) ?? 0)}`.padEnd(22)).join(' ');
  const out = [`${experiment}  epoch ${day(v.epochStart)}  segments ${v.segments.size}  groups ${groups.map((g) => (g === control ? `${g} (control)` : g)).join(', ')}`];
  const srm = v.srm ? `SRM p=${p(v.srm.srm_p)}${v.srm.gated ? ` (${String(v.srm.gated)})` : ''}` : 'SRM n/a';
  out.push(`  ${'triggered'.padEnd(12)} ${cell(v.triggered)} ${srm}`);
  for (const action of [...v.volume.keys()].sort()) {
    const lifts = [...treatments].sort().map((t) => {
      const r = v.stats.get(`${action}|volume|${t}`);
      if (!r) return `${t}: lift n/a`;
      if (r.gated) return `${t}: lift n/a (${String(r.gated)})`;
      return `${t}: lift ${pct(r.lift)} [${pct(r.lift_lo)}, ${pct(r.lift_hi)}]`;
    });
    out.push(`  ${action.padEnd(12)} ${cell(v.volume.get(action))} ${lifts.join('; ')}`);
  }
  for (const a of v.alerts) {
    out.push(`  ALERT ${String(a.kind)}: ${String(a.action)} ${String(a.metric)} ${String(a.treatment)} ${String(a.direction ?? '')} p=${p(a.p_always_valid)} at ${day(Number(a.ts))} (${String(a.alert_id)})`);
  }
  return out;
}
