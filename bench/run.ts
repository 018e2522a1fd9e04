/**
 * `npm run bench [-- --runs N] [--json <file>] [--only a,b] [--scale x]`: runs every
 * scenario (those that need the Kafka broker only when named in `--only`) N times (default
 * 3), each run in a fresh Node process, and reports the median
 * events/s, events per CPU-second, peak RSS and (keyed scenarios) state bytes per key.
 * `--json` writes `{"<scenario>": {"events_per_s": n, "events_per_cpu_s": n, "peak_rss_mb": n, ...}}`.
 * Figures are for the notes, not a test: they depend on the machine and its load.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenarioChild } from './run-child.ts';
import { SCENARIOS } from './scenarios.ts';
import type { RunResult, Scenario } from './scenario.ts';
import { summarise, formatTable } from './summary.ts';

const ROOT = resolve(import.meta.dirname, '..');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
    only: { type: 'string' },
    scale: { type: 'string', default: '1' },
    events: { type: 'string' },
    keys: { type: 'string' },
  },
  strict: true,
});

const runs = Number(args.runs);
const scale = Number(args.scale);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${args.runs}`);
if (!(scale > 0)) throw new Error(`--scale must be positive, got ${args.scale}`);
const only = args.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
// Scenarios that need the broker run only when named, so `npm run bench` needs no service.
const selected = SCENARIOS.filter((s) => (only ? only.includes(s.name) : !s.needsKafka));

/** One run of a scenario in a fresh process. */
function runOnce(scenario: Scenario): Promise<RunResult> {
  const events = args.events ? Number(args.events) : Math.round(scenario.events * scale);
  const keys = args.keys ? Number(args.keys) : scenario.keys ?? 0;
  return runScenarioChild(ROOT, scenario.name, events, keys);
}

const report: Record<string, Record<string, number | string>> = {};
const failures: string[] = [];
for (const scenario of selected) {
  const results: RunResult[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      results.push(await runOnce(scenario));
      process.stderr.write('.');
    }
  } catch (error) {
    process.stderr.write('x');
    failures.push((error as Error).message);
    continue;
  }
  report[scenario.name] = summarise(results);
}
process.stderr.write('\n');
console.log(formatTable(report, selected));
for (const f of failures) console.error(`\nnot measured: ${f.split('\n').slice(0, 6).join('\n  ')}`);
if (args.json) {
  await writeFile(args.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}
