/// <reference lib="dom" />
/**
 * Small DOM helpers shared by the pages. Text goes in as text nodes only (never HTML), so
 * record samples and error messages cannot inject markup.
 */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** The page's `?token=`, passed on to the API. */
export function withToken(path: string): string {
  const token = new URLSearchParams(location.search).get('token');
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

export const int = (n: number | undefined): string => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
export const rate = (n: number | undefined): string => (n === undefined ? '–' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
export const percent = (n: number | undefined): string => (n === undefined ? '–' : `${(n * 100).toFixed(1)}%`);
export const bytes = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
export const time = (ms: number | undefined): string => (ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z');
export const duration = (ms: number | undefined): string =>
  ms === undefined ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 7_200_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`;

export const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 10px 20px; display: flex; gap: 18px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header a { color: #9cc9ff; }
main { padding: 12px 20px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px; margin-bottom: 14px; overflow-x: auto; }
h2 { font-size: 15px; margin: 2px 0 8px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 9px; border-bottom: 1px solid #eceff3; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: #4a5566; }
pre { background: #f3f4f6; padding: 6px; margin: 4px 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.status-running { color: #7ee2a8; } .status-failed, .status-crashed { color: #ff8a8a; }
.muted { color: #6b7686; }
svg text { font: 12px system-ui, sans-serif; }
.node rect { stroke: #4a5566; stroke-width: 1; rx: 5; }
.node.source rect { fill: #e3f0ff; } .node.operator rect { fill: #fff7e0; } .node.sink rect { fill: #e6f6ec; }
.node.late rect, .node.dead_letter rect { fill: #fde8e8; }
.edge { fill: none; stroke: #8a94a3; stroke-width: 1.2; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #eceff3; padding: 4px; }
`;

export function addStyle(css: string): void {
  document.head.append(h('style', {}, css));
}
