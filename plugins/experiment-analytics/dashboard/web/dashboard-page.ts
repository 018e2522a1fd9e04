/// <reference lib="dom" />
/**
 * The experiment dashboard (served by the job UI at `/experiments`): per experiment epoch,
 * the planned split against triggered users per group with the SRM p-value, per action and
 * treatment the always-valid intervals of the difference and of the relative lift over
 * users (segments as markers, the alert threshold and the first alarm marked), and the
 * alerts. Data: `/api/experiments` (dashboard.json), re-read every 5 s while the job runs.
 */
import 'uplot/dist/uPlot.min.css';
import { addStyle, h, int, STYLE, time, withToken } from './dom.ts';
import type { DashboardData, DashboardEpoch, DashboardSegment } from '../types.ts';
import { intervalChart } from './charts.ts';
import type { Marker } from './charts.ts';

const app = document.getElementById('app')!;
addStyle(STYLE);

const users = (s: DashboardSegment) => Object.values(s.triggered).reduce((a, b) => a + b, 0);
const epochKey = (e: DashboardEpoch) => `${e.experiment}@${e.epochStart}`;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);

function splitTable(e: DashboardEpoch): HTMLElement {
  const rows: HTMLElement[] = [];
  for (const s of e.segments) {
    const total = users(s);
    const groups = [...new Set([...Object.keys(s.planned ?? {}), ...Object.keys(s.triggered)])].sort();
    const srm = s.srm[s.srm.length - 1];
    groups.forEach((g, i) =>
      rows.push(h('tr', { 'data-segment': String(s.segment), 'data-group': g },
        h('td', {}, i === 0 ? `segment ${s.segment}${s.start !== undefined ? ` (from ${time(s.start)})` : ''}` : ''),
        h('td', {}, g === e.control ? `${g} (control)` : g),
        h('td', { 'data-field': 'planned' }, s.planned?.[g] !== undefined ? `${(s.planned[g]! * 100).toFixed(1)}%` : '–'),
        h('td', { 'data-field': 'triggered' }, int(s.triggered[g] ?? 0)),
        h('td', {}, total > 0 ? `${(((s.triggered[g] ?? 0) / total) * 100).toFixed(1)}%` : '–'),
        h('td', { 'data-field': 'srm-p', 'data-value': srm ? String(srm[1]) : '' }, i === 0 ? (srm ? `${srm[1]}${e.alpha !== undefined && srm[1] < e.alpha ? ' < α: mismatch' : ''}` : 'n/a') : ''),
      )),
    );
  }
  return h('table', { id: 'split' }, h('thead', {}, h('tr', {}, ...['segment', 'group', 'planned', 'triggered users', 'observed', 'SRM p-value'].map((t) => h('th', {}, t)))), h('tbody', {}, ...rows));
}

function alertsTable(e: DashboardEpoch): HTMLElement {
  if (e.alerts.length === 0) return h('p', { class: 'muted', id: 'alerts' }, 'No alerts.');
  return h('table', { id: 'alerts' },
    h('thead', {}, h('tr', {}, ...['kind', 'segment', 'action', 'metric', 'treatment', 'p', 'users', 'event time', 'id'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...e.alerts.map((a) => h('tr', { 'data-alert': a.id }, h('td', {}, a.kind), h('td', {}, a.segment), h('td', {}, a.action), h('td', {}, a.metric), h('td', {}, a.treatment), h('td', {}, a.p === null ? '–' : a.p.toPrecision(3)), h('td', {}, int(a.users)), h('td', {}, time(a.ts)), h('td', {}, a.id)))),
  );
}

/** Per action and treatment of one metric: the two charts over the epoch's users, segments one after another. */
function charts(e: DashboardEpoch, metric: string): HTMLElement {
  const out = h('div', { class: 'charts' });
  const tests = new Map<string, { action: string; treatment: string }>();
  for (const s of e.segments) for (const x of s.series) if (x.metric === metric) tests.set(`${x.action}|${x.treatment}`, x);
  const offsets: number[] = [];
  let offset = 0;
  for (const s of e.segments) {
    offsets.push(offset);
    offset += users(s);
  }
  for (const [key, { action, treatment }] of [...tests].sort()) {
    const xs: number[] = [];
    const cols: (number | null)[][] = [[], [], [], [], [], []];
    const markers: Marker[] = e.segments.slice(1).map((s, i) => ({ x: offsets[i + 1]!, label: `segment ${s.segment}`, color: '#8e44ad' }));
    let latest: (number | null)[] | undefined;
    e.segments.forEach((s, i) => {
      const series = s.series.find((x) => x.metric === metric && x.action === action && x.treatment === treatment);
      if (!series) return;
      // A gap at the segment's start: lines do not join one segment's intervals to the next.
      if (xs.length > 0) {
        xs.push(offsets[i]!);
        for (const col of cols) col.push(null);
      }
      for (const p of series.points) {
        xs.push(offsets[i]! + p[0]);
        for (let c = 0; c < 6; c++) cols[c]!.push(p[c + 1] as number | null);
        latest = p;
      }
      if (series.firstAlarm !== undefined) markers.push({ x: offsets[i]! + series.firstAlarm, label: 'first alarm', color: '#c0392b' });
    });
    if (xs.length === 0) continue;
    const box = h('div', { class: 'chart', 'data-test': `${action}|${metric}|${treatment}` });
    const caption = latest
      ? h('p', { class: 'muted', 'data-field': 'latest', 'data-lift': String(latest[4]), 'data-lift-lo': String(latest[5]), 'data-lift-hi': String(latest[6]), 'data-delta': String(latest[1]) },
          `latest: lift ${pct(latest[4])} [${pct(latest[5])}, ${pct(latest[6])}], diff ${latest[1] ?? '–'} [${latest[2] ?? '–'}, ${latest[3] ?? '–'}]`)
      : null;
    out.append(box);
    const level = e.alpha !== undefined ? `${+((1 - e.alpha) * 100).toFixed(2)}%` : '(1-α)';
    intervalChart(box, { title: `${action} · ${treatment} vs ${e.control ?? 'control'}: difference (always-valid ${level})`, xs, estimate: cols[0]!, lo: cols[1]!, hi: cols[2]!, markers, unit: '' });
    intervalChart(box, { title: `${action} · ${treatment}: relative lift (always-valid ${level})`, xs, estimate: cols[3]!, lo: cols[4]!, hi: cols[5]!, markers, unit: '%' });
    if (caption) box.append(caption);
    void key;
  }
  if (out.childElementCount === 0) out.append(h('p', { class: 'muted' }, 'No interval yet: every test of this epoch is gated (too few users per arm); the table above shows how many each group has.'));
  return out;
}

let data: DashboardData | undefined;
let selected = decodeURIComponent(location.hash.slice(1));
let metric = 'volume';

function render(): void {
  if (!data) return;
  const epochs = [...data.epochs].sort((a, b) => b.segments.reduce((n, s) => n + users(s), 0) - a.segments.reduce((n, s) => n + users(s), 0) || (a.experiment < b.experiment ? -1 : 1));
  const e = epochs.find((x) => epochKey(x) === selected) ?? epochs[0];
  if (!e) {
    app.replaceChildren(h('p', {}, 'No experiment has statistics yet.'));
    return;
  }
  selected = epochKey(e);
  const picker = h('select', { id: 'experiment' }, ...epochs.map((x) => {
    const o = h('option', { value: epochKey(x) }, `${x.experiment} · epoch ${time(x.epochStart)} · ${int(x.segments.reduce((n, s) => n + users(s), 0))} users`);
    o.selected = epochKey(x) === selected;
    return o;
  }));
  picker.addEventListener('change', () => {
    selected = picker.value;
    location.hash = encodeURIComponent(selected);
    render();
  });
  const metricPicker = h('select', { id: 'metric' }, ...['volume', 'propensity'].map((m) => {
    const o = h('option', { value: m }, m === 'volume' ? 'volume (actions per user)' : 'propensity (share of users with the action)');
    o.selected = m === metric;
    return o;
  }));
  metricPicker.addEventListener('change', () => {
    metric = metricPicker.value;
    render();
  });
  document.body.dataset.updated = String(data.updatedAt);
  app.replaceChildren(
    h('header', {}, h('h1', {}, 'Experiments'), h('a', { href: withToken('/') }, 'job'), picker, metricPicker, h('span', { class: 'muted' }, `updated ${time(data.updatedAt)}`)),
    h('section', { 'data-experiment': e.experiment, 'data-epoch': String(e.epochStart) },
      h('h2', {}, `${e.experiment} · epoch ${time(e.epochStart)}`),
      h('p', { class: 'muted' }, `α=${e.alpha ?? '?'} · N*=${e.nStar !== undefined ? int(e.nStar) : '?'} users per arm planned. Intervals are always-valid: valid at every look, so wide while few users have been seen. A test shows no interval until each arm has 100 users (and 25 with and without the action for the lift).`),
      h('h3', {}, 'Planned split and triggered users'), splitTable(e),
      h('h3', {}, `Intervals over users (${metric})`), charts(e, metric),
      h('h3', {}, 'Alerts'), alertsTable(e),
    ),
  );
}

async function load(): Promise<void> {
  const res = await fetch(withToken('/api/experiments'));
  if (!res.ok) {
    app.replaceChildren(h('p', {}, res.status === 404 ? 'This run has no experiment dashboard (no dashboard.json in its folder).' : `Loading failed: ${res.status}`));
    return;
  }
  const next = (await res.json()) as DashboardData;
  if (data && next.updatedAt === data.updatedAt) return;
  data = next;
  render();
}

window.addEventListener('hashchange', () => {
  selected = decodeURIComponent(location.hash.slice(1));
  render();
});
void load();
setInterval(() => void load(), 5000);
