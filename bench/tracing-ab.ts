/**
 * Tracing overhead in one process: `filter_map` with batch traces off, at 0.01 and at 1.0,
 * alternating (the order reversed every other round) so load on a shared machine and JIT
 * warm-up hit all three alike. Prints events per CPU-second: the median per setting and the
 * median of the per-round ratios to `off`. Needs Jaeger (`scripts/services up`).
 *
 *   node bin/run-ts.mjs bench/tracing-ab.ts [rounds=10] [events=1000000]
 */
import { tracingOverhead } from './tracing.ts';

const rounds = Number(process.argv[2] ?? 10);
const events = Number(process.argv[3] ?? 1_000_000);
const settings: [string, number | undefined][] = [['off', undefined], ['0.01', 0.01], ['1.0', 1]];
const rates = new Map<string, number[]>(settings.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, ratio] of round % 2 ? [...settings].reverse() : settings) {
    const r = await tracingOverhead(ratio)({ events, keys: 0 });
    rates.get(name)!.push(r.events / r.cpu_s);
  }
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const off = rates.get('off')!;
for (const [name, xs] of rates) {
  const ratio = median(xs.map((x, i) => x / off[i]!));
  console.log(`${name.padEnd(5)} ${Math.round(median(xs)).toLocaleString('en').padStart(10)} events/cpu-s   per-round ratio to off (median) ${ratio.toFixed(3)}   runs: ${xs.map((x) => Math.round(x / 1000)).join(' ')} k`);
}
