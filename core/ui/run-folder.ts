/**
 * What the UI keeps in a run folder: `ui.json`, the latest snapshot, written once per tick
 * while the job runs and last when it ends (atomically: a reader sees the old or the new
 * file). Beside it, plugins may write the data of the pages their packages contribute
 * (contributed-pages.ts). `sluice ui <run folder>` serves them back.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UiPageDefinition } from '../api/index.ts';
import { availablePages } from './contributed-pages.ts';
import type { SnapshotFeed } from './server.ts';
import type { UiSnapshot } from './types.ts';

export const UI_FILE = 'ui.json';
/** A snapshot of a live run is at most this old (it is written every second). */
const STALE_MS = 10_000;

/** Writes each snapshot it is given to `<folder>/ui.json`; one write at a time, the latest wins. */
export class SnapshotRecorder {
  private pending: UiSnapshot | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly folder: string) {}

  record(snapshot: UiSnapshot): void {
    this.pending = snapshot;
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  /** Resolves when what was recorded is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    while (this.pending) {
      const s = this.pending;
      this.pending = undefined;
      const tmp = join(this.folder, `.${UI_FILE}.${process.pid}`);
      await writeFile(tmp, JSON.stringify(s));
      await rename(tmp, join(this.folder, UI_FILE));
    }
  }
}

/**
 * A run folder as a feed: `ui.json` re-read every `ms`. A run whose last snapshot still says
 * it runs but is older than 10 s is shown as `crashed` (it never wrote its end).
 */
export class FolderFeed implements SnapshotFeed {
  private latest: UiSnapshot | undefined;
  private readonly listeners = new Set<(s: UiSnapshot) => void>();
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly folder: string, private readonly now: () => number, private readonly pages: readonly UiPageDefinition[]) {}

  static async open(folder: string, ms = 2000, now: () => number = Date.now, pages: readonly UiPageDefinition[] = []): Promise<FolderFeed> {
    const feed = new FolderFeed(folder, now, pages);
    await feed.read(true);
    feed.timer = setInterval(() => void feed.read(false), ms);
    feed.timer.unref();
    return feed;
  }

  current(): UiSnapshot | undefined {
    return this.latest;
  }

  onSnapshot(listener: (s: UiSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async read(first: boolean): Promise<void> {
    let s: UiSnapshot;
    try {
      s = JSON.parse(await readFile(join(this.folder, UI_FILE), 'utf8')) as UiSnapshot;
    } catch (error) {
      if (first) throw error;
      return;
    }
    if (s.format !== 'sluice.ui/v1') throw new Error(`${join(this.folder, UI_FILE)} is not a sluice.ui/v1 snapshot`);
    const ended = ['finished', 'stopped', 'failed'].includes(s.status);
    if (!ended && this.now() - s.updatedAt > STALE_MS) s = { ...s, status: 'crashed' };
    const changed = this.latest === undefined || this.latest.seq !== s.seq || this.latest.status !== s.status;
    s = { ...s, pages: availablePages(this.folder, this.pages) };
    this.latest = s;
    if (changed) for (const l of this.listeners) l(s);
  }
}
