// Preloaded (`node --import`) into each process `bench/startup.ts` measures: on exit it
// writes the process's own CPU time (user + system, all threads) and peak RSS to the file
// named by SLUICE_BENCH_PROBE. Costs about a millisecond, the same for every variant.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.SLUICE_BENCH_PROBE;
if (out) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(out, JSON.stringify({ cpuS: (user + system) / 1e6, peakRssMb: hwm ? Number(hwm[1]) / 1024 : undefined }));
  });
}
