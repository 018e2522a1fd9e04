/**
 * Figures for the flagship notes: generator throughput, and `sluice validate` on a
 * reference run of N records (default 1,000,000).
 *
 *   node bin/run-ts.mjs test/flagship/measure.ts [events] [folder]
 */
import { rmSync } from 'node:fs';
import { formatReport, validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { writeReferenceRun } from './reference-run.ts';

const events = Number(process.argv[2] ?? 1_000_000);
const dir = process.argv[3] ?? `/tmp/sluice-measure-${events}`;
const config = trafficConfig({ seed: 1, events });

const rates: number[] = [];
for (let i = 0; i < 3; i++) {
  const g = new TrafficGenerator(config);
  const t0 = performance.now();
  while (!g.done) g.next(4096);
  rates.push(events / ((performance.now() - t0) / 1000));
}
rates.sort((a, b) => a - b);
console.log(`generator: ${Math.round(rates[1]!).toLocaleString('en')} records/s (median of 3, ${events.toLocaleString('en')} records)`);

rmSync(dir, { recursive: true, force: true });
const t1 = performance.now();
await writeReferenceRun(config, dir);
console.log(`reference run written in ${((performance.now() - t1) / 1000).toFixed(1)} s to ${dir}`);
const report = await validateRun({ run: dir });
console.log(formatReport(report));
console.log(`validate: ${(report.durationMs / 1000).toFixed(2)} s, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
