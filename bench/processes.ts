/** What the multi-process benchmarks read about the processes they start. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ on Linux). */
const TICKS = 100;

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise((done) => server.close(done));
  return port;
}

/** CPU-seconds (user + system, fields 14 and 15 of /proc/<pid>/stat) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/**
 * The processes `scripts/services up` started (Kafka, the HBase master and REST server, NATS,
 * Jaeger), by name, from their pid files: a benchmark that shares the machine with them
 * reports their CPU beside its own.
 */
export function servicePids(): Map<string, number> {
  const run = process.env.SLUICE_SERVICES_DIR ?? join(process.env.SLUICE_CACHE ?? join(homedir(), '.cache', 'sluice'), 'run');
  const out = new Map<string, number>();
  for (const [name, file] of [['kafka', 'kafka/kafka.pid'], ['hbase master', 'hbase/master.pid'], ['hbase rest', 'hbase/rest.pid'], ['nats', 'nats/nats.pid'], ['jaeger', 'jaeger/jaeger.pid']] as const) {
    try {
      const pid = Number(readFileSync(join(run, file), 'utf8').trim());
      cpuSeconds(pid);
      out.set(name, pid);
    } catch {
      // Not running (or not started by scripts/services): left out.
    }
  }
  return out;
}

/** CPU-seconds of each service in `pids` so far (a service gone since counts 0). */
export function servicesCpuSeconds(pids: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, pid] of pids) {
    try {
      out.set(name, cpuSeconds(pid));
    } catch {
      out.set(name, 0); // Exited meanwhile.
    }
  }
  return out;
}

/** The machine's CPU-seconds so far over all cores (/proc/stat): busy and idle. */
export function machineCpuSeconds(): { readonly busy: number; readonly idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const all = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (all - idle) / TICKS, idle: idle / TICKS };
}
