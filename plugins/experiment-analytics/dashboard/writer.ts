/**
 * Writes `dashboard.json` into a run folder: at most once per `everyMs` while the data
 * changes, and once more at the end; atomically (a reader sees the old or the new file),
 * one write at a time.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DashboardHistory } from './history.ts';

export const DASHBOARD_FILE = 'dashboard.json';

export class DashboardWriter {
  private lastAt = 0;
  private written = -1;
  private writing: Promise<void> | undefined;

  constructor(private readonly history: DashboardHistory, private readonly path: string, private readonly everyMs = 2000) {}

  /** Beside a report file: `<its folder>/dashboard.json`. */
  static beside(history: DashboardHistory, reportPath: string): DashboardWriter {
    return new DashboardWriter(history, join(dirname(reportPath), DASHBOARD_FILE));
  }

  /** Called after each batch: writes in the background when due. */
  maybeWrite(now = Date.now()): void {
    if (this.writing || this.history.version === this.written || now - this.lastAt < this.everyMs) return;
    this.lastAt = now;
    this.writing = this.write().catch(() => undefined).finally(() => {
      this.writing = undefined;
    });
  }

  /** Writes what is there now (after any write in progress). */
  async flush(): Promise<void> {
    await this.writing;
    await this.write();
  }

  private async write(): Promise<void> {
    const version = this.history.version;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.history.data()));
    await rename(tmp, this.path);
    this.written = version;
  }
}
