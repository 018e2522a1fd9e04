/// <reference lib="dom" />
/**
 * One interval-over-users chart with uPlot: the estimate and its always-valid interval
 * bounds against users, the alert threshold (no effect, 0) as a line, and vertical markers
 * for segment starts (re-ramps) and the first alarm, drawn in uPlot's `draw` hook.
 */
import uPlot from 'uplot';

export interface Marker {
  readonly x: number;
  readonly label: string;
  readonly color: string;
}

export interface IntervalChart {
  readonly title: string;
  readonly xs: number[];
  readonly estimate: (number | null)[];
  readonly lo: (number | null)[];
  readonly hi: (number | null)[];
  readonly markers: Marker[];
  /** `%` shows values as percentages (relative lift). */
  readonly unit: '%' | '';
}

const fmt = (unit: string) => (v: number | null) => (v === null ? '–' : unit === '%' ? `${(v * 100).toFixed(1)}%` : v.toPrecision(3));

export function intervalChart(into: HTMLElement, c: IntervalChart, width = 420, height = 220): uPlot {
  const zero = c.xs.map(() => 0);
  const opts: uPlot.Options = {
    title: c.title,
    width,
    height,
    scales: { x: { time: false } },
    axes: [
      { label: 'triggered users', size: 36 },
      { size: 56, values: (_u, vals) => vals.map((v) => fmt(c.unit)(v)) },
    ],
    series: [
      { label: 'users' },
      { label: 'estimate', stroke: '#1f5fbf', width: 2, points: { show: false }, value: (_u, v) => fmt(c.unit)(v) },
      { label: 'lower', stroke: '#7aa7e6', dash: [4, 3], points: { show: false }, value: (_u, v) => fmt(c.unit)(v) },
      { label: 'upper', stroke: '#7aa7e6', dash: [4, 3], points: { show: false }, value: (_u, v) => fmt(c.unit)(v) },
      { label: 'alert threshold (0)', stroke: '#c0392b', width: 1, points: { show: false }, value: () => '0' },
    ],
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui`;
          for (const m of c.markers) {
            const x = u.valToPos(m.x, 'x', true);
            if (!Number.isFinite(x)) continue;
            ctx.strokeStyle = m.color;
            ctx.fillStyle = m.color;
            ctx.setLineDash([5, 4]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(m.label, x + 3, u.bbox.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
  return new uPlot(opts, [c.xs, c.estimate, c.lo, c.hi, zero], into);
}
