/// <reference lib="dom" />
/** The job graph, laid out left to right by dagre, drawn as SVG with each stage's live figures. */
import dagre from '@dagrejs/dagre';
import type { UiSnapshot } from '../types.ts';
import { rate, svg } from './dom.ts';

const W = 190;
const H = 54;

export function graphSvg(s: UiSnapshot): SVGSVGElement {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 46, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of s.nodes) g.setNode(n.id, { width: W, height: H });
  for (const e of s.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const root = svg('svg', { width, height, style: 'max-width:100%;height:auto', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'job graph' });
  for (const e of g.edges()) {
    const points = g.edge(e).points ?? [];
    root.append(svg('polyline', { class: 'edge', points: points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ') }));
    const last = points[points.length - 1];
    if (last) root.append(svg('circle', { cx: last.x, cy: last.y, r: 2.5, fill: '#8a94a3' }));
  }
  for (const n of s.nodes) {
    const { x, y } = g.node(n.id);
    const st = s.stages[n.id];
    const busy = st?.busyRatio ?? 0;
    const pressure = st?.backpressure ?? 0;
    const line2 = n.kind === 'source' ? `${rate(st?.rateOut)}/s out` : `${rate(st?.rateIn)}/s in`;
    const line3 = n.kind === 'source' ? `back-pressured ${Math.round(pressure * 100)}%` : `busy ${Math.round(busy * 100)}%  queued ${st?.queued ?? 0}`;
    root.append(
      svg('g', { class: `node ${n.kind}`, transform: `translate(${x - W / 2},${y - H / 2})`, 'data-node': n.id },
        svg('rect', { width: W, height: H, ...(busy > 0.8 || pressure > 0.5 ? { style: 'stroke:#d33;stroke-width:2' } : {}) }),
        svg('text', { x: 8, y: 16, 'font-weight': 600 }, n.id.length > 26 ? `${n.id.slice(0, 25)}…` : n.id),
        svg('text', { x: 8, y: 31, fill: '#4a5566' }, `${n.plugin} · ${line2}`),
        svg('text', { x: 8, y: 46, fill: '#4a5566' }, line3),
      ),
    );
  }
  return root;
}
