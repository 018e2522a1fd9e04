/**
 * Helpers of the exactly-once integration test: `sluice run` as a child process (its log
 * lines, the checkpoints it completed, SIGKILL or SIGTERM), a consumer group's progress,
 * and a `read_committed` read of a topic up to markers written after the job ended.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { BROKERS, endOffsets, produce, unique, until, withAdmin } from './kafka-helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface OutputRow {
  readonly user: string;
  readonly window_start: number;
  readonly n: number;
}

export interface Run {
  exited: boolean;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly checkpoints: number[];
  readonly log: string[];
  kill(signal: NodeJS.Signals): void;
}

export function startRun(dir: string, file: string, interval: string, onCheckpoint: (run: Run) => void = () => {}): Run {
  const args = ['run', file, '--set', `job.state_dir=${join(dir, 'state')}`, '--set', `checkpoint.interval=${interval}`, '--set', 'log.level=info', '--set', 'restart.max_attempts=0'];
  const { NODE_ENV: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [join(ROOT, 'bin/sluice.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  const run: Run = {
    exited: false,
    checkpoints: [],
    log: [],
    exit: new Promise((resolve) => child.once('exit', (code, signal) => {
      run.exited = true;
      resolve({ code, signal });
    })),
    kill: (signal) => void child.kill(signal),
  };
  createInterface({ input: child.stderr! }).on('line', (text) => {
    run.log.push(text);
    let line: { msg?: unknown; checkpoint?: unknown };
    try {
      line = JSON.parse(text) as typeof line;
    } catch {
      return;
    }
    if (typeof line.msg === 'string' && /^checkpoint \d+ complete$/.test(line.msg)) {
      run.checkpoints.push(line.checkpoint as number);
      onCheckpoint(run);
    }
  });
  runs.push(run);
  return run;
}

const runs: Run[] = [];

/** Kills what a failed scenario left running. */
export async function killAll(): Promise<void> {
  for (const r of runs.splice(0)) {
    if (r.exited) continue;
    r.kill('SIGKILL');
    await r.exit;
  }
}

export async function groupAtEnd(group: string, topic: string): Promise<boolean> {
  const ends = await endOffsets(topic);
  const list = await withAdmin((a) => a.fetchOffsets({ groupId: group, topics: [topic] }));
  return list[0]!.partitions.every((p) => Number(p.offset) === ends[p.partition]);
}

/** Every record of `topic` a read_committed consumer sees (read until a marker written after the job ended). */
export async function readCommitted(topic: string): Promise<OutputRow[]> {
  const kafka = new Kafka({ brokers: BROKERS, clientId: 'eos-reader', logLevel: logLevel.NOTHING });
  const partitions = Object.keys(await endOffsets(topic)).length;
  await produce(topic, Array.from({ length: partitions }, (_, partition) => ({ partition, value: '"marker"' })));
  const consumer = kafka.consumer({ groupId: unique('eos-reader'), maxWaitTimeInMs: 200, readUncommitted: false });
  const rows: OutputRow[] = [];
  const markers = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          const value = m.value!.toString();
          if (value === '"marker"') markers.add(batch.partition);
          else rows.push(JSON.parse(value) as OutputRow);
        }
        return Promise.resolve();
      },
    });
    await until(() => markers.size === partitions, `the markers of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return rows;
}
