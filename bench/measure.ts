/**
 * Measures one benchmark section in the current process: wall time, CPU time
 * (`process.cpuUsage`, user + system) and peak RSS (the kernel's high-water mark
 * `VmHWM` where there is `/proc`, else the largest `rss` seen by polling every 20 ms).
 */
import { readFileSync } from 'node:fs';

export interface Measured {
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
}

function highWaterMarkBytes(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class Measure {
  private started = 0;
  private cpu: NodeJS.CpuUsage | undefined;
  private peakRss = 0;
  private poller: NodeJS.Timeout | undefined;

  start(): void {
    this.peakRss = process.memoryUsage.rss();
    this.poller = setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss())), 20);
    this.poller.unref();
    this.cpu = process.cpuUsage();
    this.started = performance.now();
  }

  stop(): Measured {
    const wall = (performance.now() - this.started) / 1000;
    const cpu = process.cpuUsage(this.cpu);
    clearInterval(this.poller);
    const peak = Math.max(this.peakRss, process.memoryUsage.rss(), highWaterMarkBytes() ?? 0);
    return { wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, peak_rss_mb: peak / (1024 * 1024) };
  }
}
