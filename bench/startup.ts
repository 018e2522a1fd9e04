/**
 * `npm run bench:startup [-- --runs N] [--json <file>] [--only a,b]`: how long `sluice` takes
 * to start, from the compiled build (dist/, what `npm start` and an installed package run)
 * and, as the same-run baseline, from the TypeScript sources through tsx
 * (`SLUICE_FROM_SOURCE=1`, what every command ran before the build existed). The variants
 * alternate run by run, so load on the machine falls on both alike.
 *
 * Scenarios (each a fresh `node bin/sluice.mjs …` process):
 * - `help`: `sluice --help`;
 * - `lint`: `sluice lint pipelines/experiment_analytics.yaml`;
 * - `first_record`: `sluice run bench/pipelines/startup.yaml` (generator → stdout) until its
 *   first record is on stdout; CPU read from /proc/<pid>/stat at that moment (Linux);
 * - `flagship_1`: `npm start`'s command with `--events 1`, start to exit (one record
 *   through the whole flagship, its checkpoint, report and summary).
 *
 * `--baseline <dir>` adds a third variant: the `bin/sluice.mjs` of another checkout (e.g.
 * `git archive <commit> | tar -x -C <dir>`, with a `node_modules` link), run from this
 * checkout's folder, to compare with the code before a change.
 *
 * Reported per scenario and variant: median wall seconds, median CPU seconds (user +
 * system, all threads) and median peak RSS. The tsx baseline runs with tsx's transpile cache
 * warm, as a developer's does. Figures depend on the machine's load: read the ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIsFresh } from '../scripts/build-freshness.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PROBE = join(import.meta.dirname, 'startup', 'probe.mjs');
const CLK_TCK = 100; // Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat

interface Sample {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
}

interface StartupScenario {
  readonly name: string;
  readonly args: (scratch: string, run: string) => string[];
  /** Stop at the first line on stdout (else wait for the exit). */
  readonly untilFirstLine?: boolean;
  readonly cleanup?: (run: string) => void;
}

const SCENARIOS: readonly StartupScenario[] = [
  { name: 'help', args: () => ['--help'] },
  { name: 'lint', args: () => ['lint', 'pipelines/experiment_analytics.yaml'] },
  { name: 'first_record', untilFirstLine: true, args: (scratch) => ['run', 'bench/pipelines/startup.yaml', '--set', `job.state_dir=${scratch}`] },
  {
    name: 'flagship_1',
    args: () => ['run', 'pipelines/experiment_analytics.yaml', '--profile', 'embedded', '--events', '1'],
    cleanup: (run) => rmSync(join(ROOT, '.sluice', 'runs', 'experiment_analytics', run), { recursive: true, force: true }),
  },
];

interface Variant {
  readonly name: string;
  readonly bin: string;
  readonly env: Record<string, string>;
}

/** utime + stime of a live process, in seconds. */
function procCpuS(pid: number): number {
  // Fields after the `(comm)`: state is the 3rd field, utime the 14th and stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function procPeakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function once(scenario: StartupScenario, variant: Variant, index: number, v: number): Promise<Sample> {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-startup-'));
  const probe = join(scratch, 'probe.json');
  const run = `bench-startup-${process.pid}-${index}-${v}`;
  const env = { ...process.env, ...variant.env, SLUICE_BENCH_PROBE: probe, RUN_ID: run };
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PROBE, variant.bin, ...scenario.args(scratch, run)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Sample>((done, fail) => {
    let first: Sample | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (!scenario.untilFirstLine || first || !d.includes(10)) return;
      first = { wallS: (performance.now() - started) / 1000, cpuS: procCpuS(child.pid!), peakRssMb: procPeakRssMb(child.pid!) };
      child.kill('SIGKILL');
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000;
      try {
        if (scenario.untilFirstLine) {
          if (!first) throw new Error(`${scenario.name} (${variant}): no record on stdout (exit ${code}):\n${stderr}`);
          return done(first);
        }
        if (code !== 0) throw new Error(`${scenario.name} (${variant}) exited ${code}:\n${stderr}`);
        const { cpuS, peakRssMb } = JSON.parse(readFileSync(probe, 'utf8')) as { cpuS: number; peakRssMb: number };
        done({ wallS, cpuS, peakRssMb });
      } catch (error) {
        fail(error as Error);
      } finally {
        scenario.cleanup?.(run);
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, json: { type: 'string' }, only: { type: 'string' }, baseline: { type: 'string' } },
  strict: true,
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${args.runs}`);
const only = args.only?.split(',').map((s) => s.trim());
const selected = SCENARIOS.filter((s) => !only || only.includes(s.name));
if (only && selected.length !== only.length) throw new Error(`unknown scenario in --only ${args.only} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
if (!buildIsFresh()) throw new Error('dist/ is missing or stale: run `npm run build` first (the compiled variant would run the sources)');

const variants: Variant[] = [
  { name: 'compiled', bin: 'bin/sluice.mjs', env: {} },
  { name: 'tsx source', bin: 'bin/sluice.mjs', env: { SLUICE_FROM_SOURCE: '1' } },
];
if (args.baseline) variants.push({ name: `baseline ${args.baseline}`, bin: join(resolve(args.baseline), 'bin', 'sluice.mjs'), env: {} });

type Figures = { wall_s: number; cpu_s: number; peak_rss_mb: number; runs: number };
const results: Record<string, Record<string, Figures>> = {};
const rows: string[][] = [['scenario', 'variant', 'wall s', 'CPU s', 'peak RSS MB', 'CPU vs tsx']];
for (const scenario of selected) {
  const samples = variants.map((): Sample[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [v, variant] of variants.entries()) samples[v]!.push(await once(scenario, variant, i, v));
  }
  const figures = variants.map((variant, v): Figures => ({
    wall_s: median(samples[v]!.map((s) => s.wallS)),
    cpu_s: median(samples[v]!.map((s) => s.cpuS)),
    peak_rss_mb: median(samples[v]!.map((s) => s.peakRssMb)),
    runs,
  }));
  results[scenario.name] = Object.fromEntries(variants.map((variant, v) => [variant.name, figures[v]!]));
  for (const [v, variant] of variants.entries()) {
    const f = figures[v]!;
    rows.push([scenario.name, variant.name, f.wall_s.toFixed(3), f.cpu_s.toFixed(3), f.peak_rss_mb.toFixed(0), `${(f.cpu_s / figures[1]!.cpu_s).toFixed(2)}×`]);
  }
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(rows.map((r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')).join('\n'));
console.log(`medians of ${runs} runs per variant, alternating; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (args.json) writeFileSync(resolve(args.json), `${JSON.stringify(results, null, 2)}\n`);
