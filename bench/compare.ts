/**
 * Same-run comparison against a baseline checkout:
 *
 *   node bin/run-ts.mjs bench/compare.ts --baseline <dir> --only a,b [--runs 3] [--json out.json]
 *
 * `<dir>` is another checkout (e.g. `git worktree add /tmp/base <commit>`, with this `bench/`
 * copied in when it predates the scenarios). For each scenario the runs alternate baseline,
 * current, baseline, current…, each a fresh process (`child.ts`), so both see the same
 * machine load; the table gives the medians of each and the ratio of events per CPU-second.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios.ts';
import type { RunResult } from './scenario.ts';
import { summarise } from './summary.ts';

const RESULT_PREFIX = '@@bench ';
const ROOT = resolve(import.meta.dirname, '..');

const { values: args } = parseArgs({
  options: { baseline: { type: 'string' }, only: { type: 'string' }, runs: { type: 'string', default: '3' }, json: { type: 'string' } },
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

function runOnce(root: string, name: string, events: number, keys: number): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(root, 'bin/run-ts.mjs'), 'bench/child.ts', name, String(events), String(keys)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
      const parsed = line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult | { error: string }) : undefined;
      if (!parsed || 'error' in parsed || code !== 0) fail(new Error(`${name} in ${root}: ${parsed && 'error' in parsed ? parsed.error : err.trim() || `exit ${code}`}`));
      else done(parsed);
    });
  });
}

const report: Record<string, { baseline: Record<string, number | string>; current: Record<string, number | string>; cpu_ratio: number }> = {};
for (const s of selected) {
  const base: RunResult[] = [];
  const cur: RunResult[] = [];
  for (let r = 0; r < runs; r++) {
    base.push(await runOnce(baseline, s.name, s.events, s.keys ?? 0));
    cur.push(await runOnce(ROOT, s.name, s.events, s.keys ?? 0));
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
