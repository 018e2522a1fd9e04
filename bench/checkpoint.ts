/**
 * Checkpoint of a large keyed state: how long the sources are paused, how long the whole
 * checkpoint takes, and its size, with the state written in the background (the memory
 * backend's `capture`) and, in the same run, stop the world (the same backend seen without
 * `capture`, as before) as the baseline.
 *
 *   node bin/run-ts.mjs bench/checkpoint.ts [--keys 1000000] [--runs 3] [--verify]
 *
 * The state: one count/sum/max accumulator per key (window-like), `--keys` keys. The job
 * is one load source that, while not paused, updates random keys the way state handles do
 * (`get`, change in place, `set`) 1024 at a time, one batch per event-loop turn, so the
 * background write competes with a busy job. Checkpoints go through the engine's
 * `Checkpointer` into the folder store (fsync on) in a temporary folder. `--verify`
 * restores each checkpoint and checks its total count against the total at the barrier
 * (keys + the updates before it, the source's recorded position).
 *
 * CPU: `cpu_s` is the process's CPU during the checkpoint, the load's updates included;
 * `checkpoint_cpu_s` subtracts them at the CPU cost per update the load had alone (measured
 * for a second before the checkpoints), so it is the checkpoint's own cost, capture
 * overhead on the job's state accesses included.
 *
 * `checkpointScenario(variant)` is one checkpoint as a `Scenario` run for `scenarios.ts`:
 * events = keys checkpointed, wall of the checkpoint, `checkpoint_cpu_s` as its CPU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setImmediate as turn } from 'node:timers/promises';
import type { StateBackend, StateTable } from '../core/api/index.ts';
import { readCheckpoint } from '../core/runtime/checkpoint/snapshot-io.ts';
import { Checkpointer, CheckpointIds } from '../core/runtime/engine/checkpointer.ts';
import type { CheckpointTargets } from '../core/runtime/engine/checkpointer.ts';
import type { EngineSettings } from '../core/runtime/engine/settings.ts';
import { MemoryStateBackend } from '../core/runtime/state/index.ts';
import type { EngineMetrics } from '../core/telemetry/index.ts';
import { FolderCheckpointStore } from '../plugins/checkpoint-store-folder/folder-store.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';
import { median } from './summary.ts';

interface Acc {
  count: number;
  sum: number;
  max: number;
}
export type Variant = 'capture' | 'stop_the_world';

/** A source-task stand-in: updates random keys until paused, parks until resumed. */
class LoadSource {
  readonly id = 'load';
  readonly watermarks = { current: 0 };
  readonly recordsIn = 0;
  readonly deadLettered = 0;
  updates = 0;
  private mode: 'run' | 'pause' | 'stop' = 'run';
  private parkedWaiter: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private seed = 12345;
  readonly done: Promise<void>;

  constructor(private readonly table: StateTable<Acc>, private readonly keys: number) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (this.mode !== 'stop') {
      if (this.mode === 'pause') {
        this.parkedWaiter?.();
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      for (let i = 0; i < 1024; i++) {
        this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
        const key = `u${this.seed % this.keys}`;
        const acc = this.table.get(key);
        if (acc) {
          acc.count++;
          acc.sum += i;
          acc.max = Math.max(acc.max, i);
          this.table.set(key, acc);
        } else this.table.set(key, { count: 1, sum: i, max: i });
      }
      this.updates += 1024;
      await turn();
    }
  }

  pause(): Promise<void> {
    if (this.mode === 'run') this.mode = 'pause';
    return new Promise((resolve) => (this.parkedWaiter = resolve));
  }
  resume(): void {
    if (this.mode !== 'pause') return;
    this.mode = 'run';
    this.wake?.();
  }
  stop(): Promise<void> {
    this.mode = 'stop';
    this.wake?.();
    return this.done;
  }
  position(): number {
    return this.updates;
  }
  snapshot(): unknown {
    return {};
  }
  checkpointComplete(): Promise<void> {
    return Promise.resolve();
  }
}

/** The backend as a store without `capture` sees it: checkpointed stop-the-world. */
function withoutCapture(b: MemoryStateBackend): StateBackend {
  return { table: (o, s) => b.table(o, s), snapshot: (n) => b.snapshot(n), restore: (c) => b.restore(c) };
}

function totalCount(table: StateTable<Acc>): number {
  let n = 0;
  for (const key of table.keys()) n += table.get(key)!.count;
  return n;
}

export interface CheckpointRun {
  readonly variant: Variant;
  readonly keys: number;
  readonly paused_ms: number;
  readonly total_ms: number;
  readonly bytes: number;
  readonly cpu_s: number;
  readonly updates_during: number;
  /** `cpu_s` less the load's own work (its updates at the CPU cost per update measured alone). */
  readonly checkpoint_cpu_s: number;
  readonly verified?: boolean;
}

/** Builds the state, then takes one checkpoint per variant in `order` (each a fresh store). */
export async function runCheckpoints(keys: number, order: readonly Variant[], verify = false): Promise<{ runs: CheckpointRun[]; peakRssMb: number }> {
  const backend = new MemoryStateBackend();
  const table = backend.table<Acc>('window', 'acc');
  for (let i = 0; i < keys; i++) table.set(`u${i}`, { count: 1, sum: i, max: i });
  const source = new LoadSource(table, keys);
  const runs: CheckpointRun[] = [];
  const measure = new Measure();
  measure.start();
  // The load alone, for its CPU cost per update.
  const calibrate = process.cpuUsage();
  const before = source.updates;
  await new Promise((r) => setTimeout(r, 1000));
  const alone = process.cpuUsage(calibrate);
  const cpuPerUpdate = (alone.user + alone.system) / 1e6 / Math.max(1, source.updates - before);
  for (const [n, variant] of order.entries()) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-ckpt-'));
    try {
      const store = new FolderCheckpointStore(dir);
      const quiet = { info() {}, warn() {}, error() {}, debug() {} };
      const settings = {
        store, backend: variant === 'capture' ? backend : withoutCapture(backend), logger: quiet, telemetry: { tracing: false },
        checkpoint: { interval: 0, timeout: 600_000, tolerableFailures: 0, retain: 1, unaligned: true }, pipeline: { name: 'bench' }, clock: { now: () => Date.now() },
      } as unknown as EngineSettings;
      const flow = { drained: () => Promise.resolve(), quiesce: () => Promise.resolve(), flushHeld: () => 0, freeze() {}, unfreeze() {} };
      const targets = { sources: [source], operators: [], sinks: [], flow, queues: [] } as unknown as CheckpointTargets;
      const metrics = { checkpoint() {} } as unknown as EngineMetrics;
      const checkpointer = new Checkpointer(settings, targets, new CheckpointIds(n), 0, metrics, (e) => { throw e; });
      const updates = source.updates;
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      if (!(await checkpointer.take('manual'))) throw new Error(`checkpoint (${variant}) declined`);
      const total = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      const manifest = (await store.latest())!;
      const run: CheckpointRun = {
        variant, keys, paused_ms: checkpointer.lastPauseMs!, total_ms: total, bytes: manifest.chunks.reduce((s, c) => s + c.bytes, 0),
        cpu_s: (used.user + used.system) / 1e6, updates_during: source.updates - updates,
        checkpoint_cpu_s: (used.user + used.system) / 1e6 - (source.updates - updates) * cpuPerUpdate,
      };
      if (verify) {
        const restored = new MemoryStateBackend();
        await readCheckpoint(store, manifest, restored);
        // Every key starts at count 1 and every update adds 1: the barrier's total is keys + position.
        runs.push({ ...run, verified: totalCount(restored.table<Acc>('window', 'acc')) === keys + (manifest.sources.load as number) });
      } else runs.push(run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await source.stop();
  return { runs, peakRssMb: measure.stop().peak_rss_mb };
}

/** One checkpoint of `variant` as a benchmark scenario run. */
export function checkpointScenario(variant: Variant) {
  return async (o: ScenarioOptions): Promise<RunResult> => {
    const { runs, peakRssMb } = await runCheckpoints(o.keys, [variant]);
    const r = runs[0]!;
    const result: RunResult & Omit<CheckpointRun, 'variant' | 'keys' | 'cpu_s'> = {
      events: r.keys, wall_s: r.total_ms / 1000, cpu_s: r.checkpoint_cpu_s, checkpoint_cpu_s: r.checkpoint_cpu_s, peak_rss_mb: peakRssMb, driver: 'micro', state_keys: r.keys, state_bytes: r.bytes,
      paused_ms: r.paused_ms, total_ms: r.total_ms, bytes: r.bytes, updates_during: r.updates_during,
    };
    return result;
  };
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, verify: { type: 'boolean', default: false } } });
  const keys = Number(values.keys);
  const order: Variant[] = [];
  // Alternate, so load drift hits both variants alike.
  for (let i = 0; i < Number(values.runs); i++) order.push(...(i % 2 ? (['stop_the_world', 'capture'] as const) : (['capture', 'stop_the_world'] as const)));
  const { runs, peakRssMb } = await runCheckpoints(keys, order, values.verify);
  for (const r of runs) console.log(JSON.stringify(r));
  console.log(`\n${keys.toLocaleString('en-US')} keys, median of ${values.runs} runs each, peak RSS ${peakRssMb.toFixed(0)} MB (whole process)`);
  console.log('variant          paused ms  total ms  MB      B/key  CPU-s  ckpt CPU-s  keys/ckpt-CPU-s  updates during');
  for (const v of ['stop_the_world', 'capture'] as const) {
    const of = (f: (r: CheckpointRun) => number) => median(runs.filter((r) => r.variant === v).map(f));
    console.log(
      `${v.padEnd(15)}  ${of((r) => r.paused_ms).toFixed(0).padStart(9)}  ${of((r) => r.total_ms).toFixed(0).padStart(8)}  ${(of((r) => r.bytes) / 1e6).toFixed(1).padStart(6)}  ` +
        `${(of((r) => r.bytes) / keys).toFixed(1).padStart(5)}  ${of((r) => r.cpu_s).toFixed(2).padStart(5)}  ${of((r) => r.checkpoint_cpu_s).toFixed(2).padStart(10)}  ` +
        `${Math.round(of((r) => keys / r.checkpoint_cpu_s)).toString().padStart(15)}  ${of((r) => r.updates_during).toString().padStart(14)}`,
    );
  }
}
