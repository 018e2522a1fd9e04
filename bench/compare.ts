/**
 * Same-run comparison against a baseline checkout:
 *
 *   node bin/run-ts.mjs bench/compare.ts --baseline <dir> --only a,b [--runs 3] [--events N] [--json out.json]
 *
 * `<dir>` is another checkout (e.g. `git worktree add /tmp/base <commit>`, with this `bench/`
 * copied in when it predates the scenarios). For each scenario the runs alternate baseline,
 * current, baseline, current…, each a fresh process (`child.ts`), so both see the same
 * machine load; the table gives the medians of each and the ratio of events per CPU-second.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenarioChild } from './run-child.ts';
import { SCENARIOS } from './scenarios.ts';
import type { RunResult } from './scenario.ts';
import { summarise } from './summary.ts';

const ROOT = resolve(import.meta.dirname, '..');

const { values: args } = parseArgs({
  options: { baseline: { type: 'string' }, only: { type: 'string' }, runs: { type: 'string', default: '3' }, events: { type: 'string' }, json: { type: 'string' } },
  strict: true,
});
if (!args.baseline || !args.only) throw new Error('usage: compare.ts --baseline <dir> --only a,b [--runs N] [--json file]');
const baseline = resolve(args.baseline);
const runs = Number(args.runs);
const selected = args.only.split(',').map((name) => {
  const s = SCENARIOS.find((x) => x.name === name.trim());
  if (!s) throw new Error(`unknown scenario '${name}'`);
  return s;
});


const report: Record<string, { baseline: Record<string, number | string>; current: Record<string, number | string>; cpu_ratio: number }> = {};
for (const s of selected) {
  const base: RunResult[] = [];
  const cur: RunResult[] = [];
  for (let r = 0; r < runs; r++) {
    const events = args.events ? Number(args.events) : s.events;
    base.push(await runScenarioChild(baseline, s.name, events, s.keys ?? 0));
    cur.push(await runScenarioChild(ROOT, s.name, events, s.keys ?? 0));
    process.stderr.write('.');
  }
  const b = summarise(base);
  const c = summarise(cur);
  report[s.name] = { baseline: b, current: c, cpu_ratio: Number(((c.events_per_cpu_s as number) / (b.events_per_cpu_s as number)).toFixed(2)) };
}
process.stderr.write('\n');
const fmt = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : '–');
console.log('scenario            | ev/cpu-s base | ev/cpu-s now | ratio | RSS MB base → now | state B/key base → now | keys base → now');
for (const [name, r] of Object.entries(report)) {
  console.log(
    `${name.padEnd(19)} | ${fmt(r.baseline.events_per_cpu_s).padStart(13)} | ${fmt(r.current.events_per_cpu_s).padStart(12)} | ${String(r.cpu_ratio).padStart(5)} | ` +
      `${fmt(r.baseline.peak_rss_mb)} → ${fmt(r.current.peak_rss_mb)} | ${fmt(r.baseline.state_bytes_per_key)} → ${fmt(r.current.state_bytes_per_key)} | ${fmt(r.baseline.state_keys)} → ${fmt(r.current.state_keys)}`,
  );
}
console.log(`medians of ${runs} runs each, alternating baseline (${baseline}) and current runs`);
if (args.json) await writeFile(args.json, JSON.stringify(report, null, 2) + '\n');
