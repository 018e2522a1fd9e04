/// <reference lib="dom" />
/**
 * The job page: header, graph, per-stage table, queues, checkpoints, restarts and the late
 * and dead-letter samples, re-rendered on every snapshot the server pushes (`/api/events`).
 * Cells carry `data-stage` / `data-field` so tests (and curious users) can find a figure.
 */
import type { UiSnapshot } from '../types.ts';
import { addStyle, bytes, duration, h, int, percent, rate, STYLE, time, withToken } from './dom.ts';
import { graphSvg } from './job-graph.ts';

const app = document.getElementById('app')!;
addStyle(STYLE);

function header(s: UiSnapshot): HTMLElement {
  return h('header', {},
    h('h1', {}, `${s.job}`),
    h('span', {}, `run ${s.runId}`),
    h('span', { class: `status-${s.status}`, 'data-field': 'status' }, s.status),
    h('span', { class: 'muted' }, `started ${time(s.startedAt)} · updated `, h('span', { 'data-field': 'updatedAt' }, time(s.updatedAt))),
    ...(s.pages ?? []).map((p) => h('a', { href: withToken(`/${p.name}`) }, p.link)),
  );
}

function stagesTable(s: UiSnapshot): HTMLElement {
  const cols: [string, string][] = [
    ['recordsIn', 'in'], ['recordsOut', 'out'], ['rateIn', 'in/s'], ['rateOut', 'out/s'], ['busyRatio', 'busy'], ['backpressure', 'back-pressured'],
    ['queued', 'queued batches'], ['watermark', 'watermark'], ['eventTimeLagMs', 'event-time lag'], ['late', 'late'], ['deadLettered', 'dead-lettered'],
  ];
  const cell = (id: string, field: string, text: string) => h('td', { 'data-stage': id, 'data-field': field }, text);
  const rows = s.nodes.map((n) => {
    const st = s.stages[n.id];
    const link = s.jaeger?.[n.id];
    return h('tr', { 'data-stage': n.id },
      h('td', {}, h('b', {}, n.id), ' ', h('span', { class: 'muted' }, `${n.kind} · ${n.plugin}`)),
      cell(n.id, 'recordsIn', int(st?.recordsIn)), cell(n.id, 'recordsOut', int(st?.recordsOut)),
      cell(n.id, 'rateIn', rate(st?.rateIn)), cell(n.id, 'rateOut', rate(st?.rateOut)),
      cell(n.id, 'busyRatio', percent(st?.busyRatio)), cell(n.id, 'backpressure', percent(st?.backpressure)),
      cell(n.id, 'queued', int(st?.queued)), cell(n.id, 'watermark', time(st?.watermark)),
      cell(n.id, 'eventTimeLagMs', duration(st?.eventTimeLagMs)),
      cell(n.id, 'late', int(st?.late)), cell(n.id, 'deadLettered', int(st?.deadLettered)),
      h('td', {}, link ? h('a', { href: link, target: '_blank', rel: 'noopener' }, 'spans') : ''),
    );
  });
  return h('table', { id: 'stages' }, h('thead', {}, h('tr', {}, h('th', {}, 'stage'), ...cols.map(([, t]) => h('th', {}, t)), h('th', {}, 'traces'))), h('tbody', {}, ...rows));
}

function queuesTable(s: UiSnapshot): HTMLElement {
  const rows = Object.entries(s.queues).map(([edge, depth]) => h('tr', {}, h('td', {}, edge), h('td', { 'data-queue': edge }, int(depth))));
  return h('table', { id: 'queues' }, h('thead', {}, h('tr', {}, h('th', {}, 'edge'), h('th', {}, 'batches waiting'))), h('tbody', {}, ...rows));
}

function checkpointsTable(s: UiSnapshot): HTMLElement {
  const rows = [...s.checkpoints].reverse().map((c) =>
    h('tr', { 'data-checkpoint': String(c.id) }, h('td', {}, c.id), h('td', {}, c.trigger), h('td', {}, time(c.at)), h('td', {}, duration(c.durationMs)), h('td', { 'data-field': 'bytes' }, bytes(c.bytes)), h('td', {}, c.outcome)),
  );
  return h('div', {},
    h('p', { class: 'muted' }, `${s.checkpoints.length} completed shown, `, h('span', { 'data-field': 'declinedCheckpoints' }, int(s.declinedCheckpoints)), ' declined'),
    h('table', { id: 'checkpoints' }, h('thead', {}, h('tr', {}, ...['id', 'trigger', 'at', 'duration', 'size', 'outcome'].map((t) => h('th', {}, t)))), h('tbody', {}, ...rows)),
  );
}

function restartsList(s: UiSnapshot): HTMLElement {
  if (s.restarts.length === 0) return h('p', { class: 'muted', id: 'restarts' }, 'No attempt failed.');
  return h('table', { id: 'restarts' },
    h('thead', {}, h('tr', {}, ...['attempt', 'at', 'error', 'then'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...s.restarts.map((r) => h('tr', {}, h('td', {}, r.attempt + 1), h('td', {}, time(r.at)), h('td', { style: 'text-align:left;white-space:normal' }, `[${r.code}] ${r.message}`), h('td', {}, r.restarting ? 'restarted' : 'gave up')))),
  );
}

function samples(title: string, id: string, lines: readonly string[]): HTMLElement {
  return h('div', { id }, h('h3', {}, title), lines.length ? h('div', {}, ...lines.map((l) => h('pre', {}, l))) : h('p', { class: 'muted' }, 'none'));
}

function render(s: UiSnapshot): void {
  document.title = `${s.job} · ${s.status} · Sluice`;
  document.body.dataset.seq = String(s.seq);
  app.replaceChildren(
    header(s),
    h('section', {}, h('h2', {}, 'Job graph'), graphSvg(s)),
    h('section', {}, h('h2', {}, 'Stages'), stagesTable(s)),
    h('section', {}, h('h2', {}, 'Queues'), queuesTable(s)),
    h('section', {}, h('h2', {}, 'Checkpoints'), checkpointsTable(s)),
    h('section', {}, h('h2', {}, 'Restarts'), restartsList(s)),
    h('section', {}, h('h2', {}, 'Late and dead-lettered records (latest)'), samples('late', 'late-samples', s.samples.late), samples('dead-lettered', 'dead-letter-samples', s.samples.deadLetter)),
  );
}

const events = new EventSource(withToken('/api/events'));
events.addEventListener('snapshot', (e) => render(JSON.parse((e as MessageEvent<string>).data) as UiSnapshot));
events.addEventListener('error', () => {
  document.body.dataset.connection = 'closed';
});
