/**
 * The KV watch source: the current value of each key, then every update, as records. The
 * position is the last revision returned; a restore watches from the revision after it,
 * so every update the checkpoint did not cover is delivered, in revision order, and values
 * covered by it are not: they live in the consuming operator's checkpointed state (the
 * broadcast operator snapshots its side state), as Flink's broadcast state does.
 */
import { Kvm } from '@nats-io/kv';
import type { KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import type { Row, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { closeNats, connectNats } from '../../lib/nats-client/index.ts';
import { keyMatcher } from './key-match.ts';
import type { KeyMatcher } from './key-match.ts';
import type { NatsKvSourceConfig } from './spec.ts';
import { traceparentProbes, traceparentsIn } from '../../core/api/index.ts';

/**
 * An entry's W3C `traceparent` header. `KvWatchEntry` does not expose headers; the library's
 * entry keeps the stream message as `sm` (checked at run time: absent, no link).
 */
function entryTraceparent(e: KvWatchEntry): string | undefined {
  const sm = (e as unknown as { sm?: { headers?: { get(name: string): string } } }).sm;
  return typeof sm?.headers?.get === 'function' ? sm.headers.get('traceparent') || undefined : undefined;
}

export class NatsKvSource implements SourceInstance {
  private nc: NatsConnection | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private buffer: KvWatchEntry[] = [];
  private revision = 0;
  private failure: unknown;
  private pump: Promise<void> | undefined;
  private readonly matches: KeyMatcher;

  constructor(
    private readonly config: NatsKvSourceConfig,
    private readonly clientName: string,
  ) {
    this.matches = keyMatcher(config.keys);
  }

  async open(position: unknown): Promise<void> {
    if (position !== undefined && position !== null && (typeof position !== 'number' || !Number.isInteger(position) || position < 0)) {
      throw new TypeError(`nats_kv '${this.config.bucket}': bad position ${JSON.stringify(position)}`);
    }
    this.revision = typeof position === 'number' ? position : 0;
    this.nc = await connectNats(this.config, this.clientName);
    const kvm = new Kvm(this.nc);
    const kv = this.config.create_bucket ? await kvm.create(this.config.bucket) : await kvm.open(this.config.bucket);
    await kv.status(); // fails here, not in the watch, when the bucket does not exist
    const key = this.config.keys.length === 1 ? this.config.keys[0]! : '>';
    this.watcher = await kv.watch({ key, ignoreDeletes: true, ...(this.revision > 0 ? { resumeFromRevision: this.revision + 1 } : {}) });
    const watcher = this.watcher;
    let caughtUp!: () => void;
    const snapshot = new Promise<void>((resolve) => (caughtUp = resolve));
    this.pump = (async () => {
      try {
        // KV entries are small metadata updates; the watch buffers at most what arrives between polls.
        for await (const e of watcher) {
          this.buffer.push(e);
          // `delta` counts the entries of the initial delivery still to come; updates come after it.
          if (e.delta === 0 || e.isUpdate) caughtUp();
        }
      } catch (error) {
        this.failure = error;
      } finally {
        caughtUp();
      }
    })();
    // Open once the bucket's current values are buffered, so the first poll brings them all
    // (a job's other sources should not run far ahead of its metadata). An empty bucket has
    // nothing to deliver; a filter that matches nothing gives up after the connect timeout.
    const status = await kv.status();
    if (status.values > 0 && status.streamInfo.state.last_seq > this.revision) await Promise.race([snapshot, new Promise<void>((resolve) => setTimeout(resolve, this.config.connect_timeout).unref())]);
  }

  poll(maxRecords: number): Promise<SourceChunk[]> {
    if (this.failure) return Promise.reject(this.failure instanceof Error ? this.failure : new Error(String(this.failure)));
    if (this.buffer.length === 0) return Promise.resolve([]);
    const entries = this.buffer.length <= maxRecords ? this.buffer : this.buffer.slice(0, maxRecords);
    this.buffer = entries === this.buffer ? [] : this.buffer.slice(maxRecords);
    const payloads: Uint8Array[] = [];
    const times: number[] = [];
    const offsets: number[] = [];
    const meta: Row[] = [];
    const kept: KvWatchEntry[] = [];
    for (const e of entries) {
      if (e.revision <= this.revision) continue;
      this.revision = e.revision;
      if (e.operation !== 'PUT' || !this.matches(e.key)) continue;
      payloads.push(e.value);
      times.push(e.created.getTime());
      offsets.push(e.revision);
      meta.push({ key: e.key, revision: e.revision });
      kept.push(e);
    }
    if (!payloads.length) return Promise.resolve([]);
    // The producers' trace contexts, from a few entries spread over the poll (span links).
    const traceparents = traceparentsIn(traceparentProbes(kept.length, (i) => entryTraceparent(kept[i]!)));
    return Promise.resolve([{ partition: this.config.bucket, payloads, times, offsets, meta, ...(traceparents ? { traceparents } : {}) }]);
  }

  position(): number {
    return this.revision;
  }

  /** Known up front, so it starts idle until it produces (docs/architecture.md §3). */
  partitions(): readonly string[] {
    return [this.config.bucket];
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    await this.pump;
    await closeNats(this.nc);
    this.nc = undefined;
  }
}
