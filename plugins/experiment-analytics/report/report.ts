/**
 * The experiment report: counts, stats, alerts (and metadata, when fed) of a run folded
 * into a text a person can read. A legend says once what the intervals are and what the
 * minimum-sample gate asks. Per experiment, epoch and segment: the planned split next to
 * the triggered users and the SRM p-value; per action the users and volume per group, the
 * always-valid (1−α) interval of the relative lift of the per-user volume and of its
 * difference; a gated test names its gate, the threshold and how far each arm is from it.
 * Counts are never summed over segments (the lift is per segment).
 */
import { MIN_SUCCESSES_AND_FAILURES_PER_ARM, MIN_USERS_PER_ARM } from '../stats/msprt.ts';
import type { Row } from 'sluice/api';
import { epochViews, num } from './report-data.ts';
import type { EpochView, ReportData, SegmentView } from './report-data.ts';

export { ReportData } from './report-data.ts';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'n/a' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;
};
const signed = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'n/a' : `${n >= 0 ? '+' : ''}${Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)}`;
};
const p = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'n/a' : n < 0.0001 ? n.toExponential(1) : n.toFixed(4);
};
const share = (n: number): string => `${(n * 100).toFixed(1)}%`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

export const LEGEND = [
  'How to read it: per segment, `lift` is the relative change of the per-user volume (actions per triggered user) of a treatment',
  'against control and `diff` the same as a difference in actions per user, each with its always-valid (1-α) interval: valid at every look,',
  'so wide while few users have been seen. N* is the planned users per arm. No interval is computed (gated) until each arm has',
  `>= ${MIN_USERS_PER_ARM} triggered users (too_few_users), and for the lift >= ${MIN_SUCCESSES_AND_FAILURES_PER_ARM} users with the action (too_few_successes)`,
  `and >= ${MIN_SUCCESSES_AND_FAILURES_PER_ARM} without it (too_few_failures). SRM: sequential test of the triggered users against the planned split.`,
];

/** The report as text. */
export function formatReport(data: ReportData, maxExperiments: number): string {
  const all = epochViews(data);
  const experiments = new Map<string, EpochView[]>();
  for (const v of all) experiments.set(v.experiment, [...(experiments.get(v.experiment) ?? []), v]);
  const users = (vs: EpochView[]) => vs.reduce((n, v) => n + [...v.segments.values()].reduce((m, s) => m + total(s.triggered), 0), 0);
  const ranked = [...experiments].sort((a, b) => users(b[1]) - users(a[1]) || (a[0] < b[0] ? -1 : 1));
  const harm = data.alerts.filter((a) => a.kind === 'harm').length;
  const srm = data.alerts.filter((a) => a.kind === 'srm').length;
  const lines = [`Experiment analytics: ${experiments.size} experiments, ${all.length} epochs, ${data.counts.size} count rows, ${data.stats.size} stats rows; alerts: ${harm} harm, ${srm} SRM`, '', ...LEGEND];
  for (const [experiment, epochs] of ranked.slice(0, maxExperiments)) {
    for (const v of epochs.sort((a, b) => a.epochStart - b.epochStart)) lines.push('', ...formatEpoch(experiment, v));
  }
  if (ranked.length > maxExperiments) lines.push('', `… and ${ranked.length - maxExperiments} more experiments (every row is in the results tables).`);
  return lines.join('\n') + '\n';
}

function formatEpoch(experiment: string, v: EpochView): string[] {
  const segments = [...v.segments.values()].sort((a, b) => a.segment - b.segment);
  const treatments = new Set(segments.flatMap((s) => [...s.stats.values()].map((r) => String(r.treatment))));
  const control = typeof v.meta?.control === 'string' ? v.meta.control : undefined;
  const groups = [...new Set(segments.flatMap((s) => [...s.triggered.keys(), ...[...s.actions.values()].flatMap((m) => [...m.keys()])]))].sort(
    (a, b) => Number(a !== control && treatments.has(a)) - Number(b !== control && treatments.has(b)) || (a < b ? -1 : 1),
  );
  const controlGroup = control ?? (treatments.size ? groups.find((g) => !treatments.has(g)) : undefined);
  const alpha = num(v.meta?.alpha);
  const nStar = num(v.meta?.n_star);
  const level = alpha === undefined ? '(1-α)' : `${+((1 - alpha) * 100).toFixed(2)}%`;
  const head = [`${experiment}  epoch ${day(v.epochStart)}  ${segments.length === 1 ? '1 segment' : `${segments.length} segments`}  groups ${groups.map((g) => (g === controlGroup ? `${g} (control)` : g)).join(', ')}`];
  if (alpha !== undefined) head.push(`α=${alpha}`);
  if (nStar !== undefined) head.push(`N*=${int(nStar)} per arm`);
  const out = [head.join('  ')];
  for (const s of segments) {
    const indent = segments.length > 1 ? '    ' : '  ';
    if (segments.length > 1) out.push(`  segment ${s.segment}${s.start !== undefined ? ` from ${day(s.start)}` : ''}`);
    out.push(...formatSegment(s, groups, [...treatments].sort(), controlGroup, level, alpha, indent));
  }
  for (const a of v.alerts) {
    out.push(`  ALERT ${String(a.kind)}: segment ${String(a.segment)} ${String(a.action)} ${String(a.metric)} ${String(a.treatment)} ${String(a.direction ?? '')} p=${p(a.p_always_valid)} at ${day(Number(a.ts))} (${String(a.alert_id)})`);
  }
  return out;
}

function formatSegment(s: SegmentView, groups: string[], treatments: string[], control: string | undefined, level: string, alpha: number | undefined, indent: string): string[] {
  const n = total(s.triggered);
  const cell = (text: (g: string) => string) => groups.map((g) => text(g).padEnd(26)).join(' ');
  const out: string[] = [];
  if (s.planned) out.push(`${indent}${'planned'.padEnd(12)} ${cell((g) => `${g} ${share(s.planned?.[g] ?? 0)}`)}`);
  const srmP = s.srm ? num(s.srm.srm_p) : undefined;
  const srm = s.srm ? `SRM p=${p(s.srm.srm_p)}${alpha !== undefined && srmP !== undefined ? (srmP < alpha ? ` < α: mismatch` : ' (no mismatch)') : ''}${s.srm.gated ? ` (${String(s.srm.gated)})` : ''}` : 'SRM n/a';
  out.push(`${indent}${'triggered'.padEnd(12)} ${cell((g) => `${g} ${int(s.triggered.get(g) ?? 0)}${n > 0 ? ` (${share((s.triggered.get(g) ?? 0) / n)})` : ''}`)} ${srm}`);
  // A treatment with too few users is gated on every action: said once, not per action.
  const actions = [...s.actions.keys()].sort();
  const fewUsers = new Set(treatments.filter((t) => actions.length > 0 && actions.every((a) => s.stats.get(`${a}|volume|${t}`)?.gated === 'too_few_users')));
  for (const t of fewUsers) out.push(`${indent}  ${t}: every test gated: ${describeGate('too_few_users', s, '', [t, ...(control ? [control] : [])])}`);
  for (const action of actions) {
    const byGroup = s.actions.get(action)!;
    out.push(`${indent}${action.padEnd(12)} ${cell((g) => `${g} ${int(byGroup.get(g)?.[0] ?? 0)}`)}`.trimEnd());
    for (const t of treatments) {
      if (fewUsers.has(t)) continue;
      const r = s.stats.get(`${action}|volume|${t}`);
      out.push(`${indent}  ${t}: ${r ? describeTest(r, s, action, t, control, level) : 'no statistics yet'}`);
    }
  }
  return out.map((l) => l.trimEnd());
}

/** One treatment's volume test: lift and diff with their intervals, or the gate it waits on. */
function describeTest(r: Row, s: SegmentView, action: string, treatment: string, control: string | undefined, level: string): string {
  const parts: string[] = [];
  if (num(r.lift) !== undefined) parts.push(`lift ${pct(r.lift)}, always-valid ${level} interval [${pct(r.lift_lo)}, ${pct(r.lift_hi)}]`);
  if (num(r.delta) !== undefined) parts.push(`diff ${signed(r.delta)} actions/user [${signed(r.lo)}, ${signed(r.hi)}]`);
  if (num(r.p_always_valid) !== undefined) parts.push(`p=${p(r.p_always_valid)}`);
  if (r.gated) parts.push(`${num(r.lift) === undefined ? 'lift gated' : 'gated'}: ${describeGate(String(r.gated), s, action, [treatment, ...(control ? [control] : [])])}`);
  return parts.length ? parts.join('; ') : 'not computable (e.g. zero variance)';
}

/** The gate's threshold and, per arm, its value and what it lacks. */
export function describeGate(reason: string, s: SegmentView, action: string, arms: string[]): string {
  const users = (g: string) => s.triggered.get(g) ?? 0;
  const withAction = (g: string) => s.actions.get(action)?.get(g)?.[1] ?? 0;
  const rule: [string, number, (g: string) => number] | undefined =
    reason === 'too_few_users' ? [`>= ${MIN_USERS_PER_ARM} triggered users per arm`, MIN_USERS_PER_ARM, users]
    : reason === 'too_few_successes' ? [`>= ${MIN_SUCCESSES_AND_FAILURES_PER_ARM} users with ${action} per arm`, MIN_SUCCESSES_AND_FAILURES_PER_ARM, withAction]
    : reason === 'too_few_failures' ? [`>= ${MIN_SUCCESSES_AND_FAILURES_PER_ARM} users without ${action} per arm`, MIN_SUCCESSES_AND_FAILURES_PER_ARM, (g) => users(g) - withAction(g)]
    : undefined;
  if (!rule) return reason;
  const [text, min, value] = rule;
  const arms_ = arms.map((g) => {
    const v = value(g);
    return `${g} ${int(v)}${v < min ? ` (${int(min - v)} short)` : ''}`;
  });
  return `${reason}, needs ${text}: ${arms_.join(', ')}`;
}
