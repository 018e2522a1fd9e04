/** Medians over runs, and the table `run.ts` prints. */
import type { RunResult, Scenario } from './scenario.ts';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits = 0) => Number(x.toFixed(digits));

/** The JSON entry of one scenario: medians over its runs, and how many runs. */
export function summarise(results: readonly RunResult[]): Record<string, number | string> {
  const of = (f: (r: RunResult) => number) => median(results.map(f));
  const out: Record<string, number | string> = {
    events_per_s: round(of((r) => r.events / r.wall_s)),
    events_per_cpu_s: round(of((r) => r.events / r.cpu_s)),
    peak_rss_mb: round(of((r) => r.peak_rss_mb), 1),
    runs: results.length,
    events: results[0]!.events,
    wall_s_median: round(of((r) => r.wall_s), 3),
    driver: results[0]!.driver ?? 'unknown',
  };
  if (results.every((r) => r.state_keys)) {
    out.state_keys = round(of((r) => r.state_keys!));
    out.state_bytes_per_key = round(of((r) => r.state_bytes! / r.state_keys!), 1);
  }
  if (results.every((r) => r.bytes)) out.mb_per_s = round(of((r) => r.bytes! / r.wall_s / 1e6), 1);
  if (results.every((r) => r.records_out !== undefined)) out.records_out = results[0]!.records_out!;
  return out;
}

export function formatTable(report: Record<string, Record<string, number | string>>, scenarios: readonly Scenario[]): string {
  const header = ['scenario', 'events/s', 'events/cpu-s', 'peak RSS MB', 'state B/key', 'MB/s', 'runs', 'driver'];
  const rows = scenarios.filter((s) => report[s.name]).map((s) => {
    const r = report[s.name]!;
    const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number).toLocaleString('en-US') : '–');
    return [s.name, num('events_per_s'), num('events_per_cpu_s'), num('peak_rss_mb'), num('state_bytes_per_key'), num('mb_per_s'), String(r.runs), String(r.driver)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const notes = scenarios.filter((s) => report[s.name]).map((s) => `  ${s.name}: ${s.summary}`);
  return [line(header), line(header.map((_, i) => '-'.repeat(widths[i]!))), ...rows.map(line), '', 'medians over runs, each run in a fresh process;', ...notes].join('\n');
}
