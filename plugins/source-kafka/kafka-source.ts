/**
 * The `kafka` source instance. The consumer fetches in the background into a bounded
 * buffer per partition (a full buffer pauses its partition; draining half of it resumes
 * it; while every assigned partition is paused the consumer's fetching is held, so it
 * fetches again the moment one resumes), and `poll` hands the buffered batches to the
 * runtime as payload chunks, one per partition, whose codec decodes them. Watermark
 * alignment pauses partitions too (`pausePartitions`): their buffered records stay until
 * they are resumed, and the consumer stops fetching them; a partition stopped either way
 * counts as paused for the fetch hold. The position is the next offset per partition
 * returned so far; `open` seeks there (the checkpoint is authoritative), and the group's
 * offsets are committed only when a checkpoint completes.
 *
 * The position lists every partition from the start: a fresh start resolves each one's
 * first offset (`start`) at `open`, so a checkpoint taken before a partition has returned
 * anything still says where it begins. A partition a restored position does not list
 * (added to the topic since, or a checkpoint that did not list it) begins at its earliest
 * offset. Never at the group's committed offset: that is a hint another instance of the
 * source may have moved past the checkpoint (a task's old owner, still running), and
 * reading from there would skip what the restored state has not counted.
 */
import { SluiceError } from '../../core/api/index.ts';
import type { Logger, SourceChunk, SourceInstance, TaskSlice } from '../../core/api/index.ts';
import type { Meter } from '@opentelemetry/api';
import { parsePartitionName, partitionName } from '../../lib/kafka-client/client.ts';
import type { FetchedBatch, KafkaClientFactory, KafkaConsumer, TopicPartition } from '../../lib/kafka-client/client.ts';
import { KafkaSourceMetrics } from './metrics.ts';
import type { PartitionReading } from './metrics.ts';
import { PartitionBuffer } from './partition-buffer.ts';
import { checkPosition, metaRows } from './records.ts';
import type { KafkaSourcePosition } from './records.ts';
import { groupIdOf, sourceTopics } from './spec.ts';
import type { KafkaSourceConfig } from './spec.ts';
import { ensureTopics } from '../../lib/kafka-client/ensure-topics.ts';

export type { KafkaSourcePosition } from './records.ts';

export interface KafkaSourceOptions {
  readonly id: string;
  readonly job: string;
  readonly config: KafkaSourceConfig;
  readonly client: KafkaClientFactory;
  readonly logger: Logger;
  readonly meter?: Meter | undefined;
  /** `--reset-state`: a fresh start ignores the group's committed offsets (starts at `start`). */
  readonly resetState?: boolean;
  /** How often a paused partition's high watermark is read from the brokers for the lag gauge (ms). */
  readonly lagRefreshMs?: number;
  /** Longest wait inside an empty poll for a fetch to arrive (ms). */
  readonly emptyPollWaitMs?: number;
  /** One task of the job: read partition `task.index` of every topic, in the task's own group. */
  readonly task?: TaskSlice | undefined;
}

export class KafkaSource implements SourceInstance {
  private readonly buffers = new Map<string, PartitionBuffer>();
  private returned: KafkaSourcePosition = {};
  private assigned: TopicPartition[] = [];
  private consumer: KafkaConsumer | undefined;
  private metrics: KafkaSourceMetrics | undefined;
  private fatal: Error | undefined;
  private arrival: (() => void) | undefined;
  private next = 0;
  private readonly resumeAt: number;
  private lagTimer: NodeJS.Timeout | undefined;
  private lagAdmin: ReturnType<KafkaClientFactory['admin']> | undefined;
  private refreshing = false;
  /** While every assigned partition is paused: the consumer waits on this (see `holdFetching`). */
  private hold: { promise: Promise<void>; release: () => void } | undefined;

  constructor(private readonly o: KafkaSourceOptions) {
    this.resumeAt = Math.floor(o.config.max_buffered / 2);
  }

  /** `group_id`, else `sluice.<job>.<source>`; a task's group adds `.task-<p>`. */
  get groupId(): string {
    return groupIdOf(this.o.config, this.o.job, this.o.id, this.o.task);
  }

  async open(position: unknown): Promise<void> {
    const { config, client } = this.o;
    this.returned = checkPosition(position);
    const topics = sourceTopics(config);
    if (config.create_topics) {
      await ensureTopics(client, topics.map((topic) => ({ topic, partitions: config.create_topics!.partitions, replicationFactor: config.create_topics!.replication_factor })), this.o.logger);
    }
    if (this.o.task) await checkTaskPartitions(client, topics, this.o.id, this.o.task);
    await this.resolveStarts(topics, position !== undefined && position !== null);
    // Every partition is sought to where it begins (restored, or resolved above) as soon as it is assigned.
    for (const [name, offset] of Object.entries(this.returned)) this.buffer(name).fetchNext = offset;
    this.consumer = client.consumer({
      groupId: this.groupId,
      topics,
      fromBeginning: config.start === 'earliest',
      sessionTimeoutMs: sessionTimeoutOf(config, this.o.task),
      maxBytesPerPartition: config.max_bytes_per_partition,
      maxBytes: config.max_bytes,
      joinTimeoutMs: config.join_timeout,
      withKeysAndHeaders: config.meta,
      ...(this.o.task ? { partitions: [this.o.task.index] } : {}),
    });
    if (this.o.meter) {
      this.metrics = new KafkaSourceMetrics(this.o.meter, this.o.id, () => this.readings());
      this.lagTimer = setInterval(() => void this.refreshPausedHighWatermarks(), this.o.lagRefreshMs ?? 5000).unref();
    }
    await this.consumer.start({
      onBatch: (b) => this.onBatch(b),
      onAssign: (parts) => this.onAssign(parts),
      onFatal: (error) => {
        this.fatal = error;
        this.wake();
      },
    });
  }

  /**
   * Where each partition the position does not list begins (see the file comment). On a
   * fresh start, offsets the group committed earlier are state the job no longer has, so
   * the job refuses to start (docs/architecture.md §5) unless it was started with
   * `--reset-state`; every partition then begins at `start` (earliest or latest), resolved
   * now. On a restore, an unlisted partition begins at its earliest offset.
   */
  private async resolveStarts(topics: readonly string[], restored: boolean): Promise<void> {
    const admin = this.o.client.admin();
    await admin.connect();
    try {
      if (!restored && !this.o.resetState) {
        const committed = (await admin.fetchCommittedOffsets(this.groupId, topics)).filter((o) => o.offset >= 0);
        if (committed.length) {
          const where = committed.map((o) => `${partitionName(o.topic, o.partition)}@${o.offset}`).join(', ');
          throw new SluiceError('E_STATE_WITHOUT_CHECKPOINT', `kafka source '${this.o.id}': consumer group '${this.groupId}' has committed offsets (${where}) but the job has no checkpoint`);
        }
      }
      const latest = !restored && this.o.config.start === 'latest';
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          if (this.o.task && o.partition !== this.o.task.index) continue;
          const name = partitionName(topic, o.partition);
          if (this.returned[name] === undefined) this.returned[name] = latest ? o.high : o.low;
        }
      }
    } finally {
      await admin.close();
    }
  }

  private buffer(name: string): PartitionBuffer {
    let b = this.buffers.get(name);
    if (!b) this.buffers.set(name, (b = new PartitionBuffer()));
    return b;
  }

  /** After every (re)join, before the first fetch: seek where this source is, re-pause full partitions. */
  private onAssign(parts: readonly TopicPartition[]): void {
    // An assignment that lands while the source closes (a task cancelled mid-rebalance) seeks nothing.
    const consumer = this.consumer;
    if (!consumer) return;
    this.assigned = [...parts];
    this.releaseHold();
    for (const p of parts) {
      const b = this.buffers.get(partitionName(p.topic, p.partition));
      if (b?.fetchNext !== undefined) consumer.seek({ ...p, offset: b.fetchNext });
      if (b?.paused || b?.aligned) consumer.pause([p]);
    }
    this.o.logger.debug('kafka partitions assigned', { group: this.groupId, partitions: parts.map((p) => partitionName(p.topic, p.partition)) });
  }

  private onBatch(batch: FetchedBatch): Promise<void> | undefined {
    const name = partitionName(batch.topic, batch.partition);
    const b = this.buffer(name);
    let { values, timestamps, offsets, traceparents } = batch;
    let meta = this.o.config.meta ? metaRows(batch) : undefined;
    // A fetch that raced with a seek may start below where this partition stands: cut it.
    const from = b.fetchNext === undefined ? 0 : offsets.findIndex((o) => o >= b.fetchNext!);
    if (from !== 0) {
      if (from < 0) return undefined;
      values = values.slice(from);
      timestamps = timestamps.slice(from);
      offsets = offsets.slice(from);
      meta = meta?.slice(from);
      traceparents = traceparents?.filter((p) => p.index >= from).map((p) => ({ index: p.index - from, value: p.value }));
    }
    b.push({ payloads: values, times: timestamps, offsets, meta, traceparents }, batch.highWatermark);
    if (!b.paused && b.size >= this.o.config.max_buffered) {
      b.paused = true;
      this.consumer!.pause([{ topic: batch.topic, partition: batch.partition }]);
    }
    this.wake();
    return b.paused || b.aligned ? this.holdFetching() : undefined;
  }

  /**
   * When every assigned partition is paused (buffer full or alignment), a promise the
   * consumer waits on before it fetches again, released as soon as one resumes (a poll
   * drains a full buffer, alignment resumes one, the source closes or the group
   * rebalances). The client would otherwise sleep its fetch wait (kafkajs: 500 ms) before
   * it noticed the resume, while the buffers run dry. Never held while a partition is
   * free to fetch, empty or not; a full partition that alignment does not pause is
   * drained by the next polls, and alignment never pauses every partition of the group.
   */
  private holdFetching(): Promise<void> | undefined {
    for (const p of this.assigned) {
      const b = this.buffers.get(partitionName(p.topic, p.partition));
      if (!b?.paused && !b?.aligned) return undefined;
    }
    if (!this.hold) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.hold = { promise, release };
    }
    return this.hold.promise;
  }

  private releaseHold(): void {
    const h = this.hold;
    this.hold = undefined;
    h?.release();
  }

  private wake(): void {
    const w = this.arrival;
    this.arrival = undefined;
    w?.();
  }

  async poll(maxRecords: number): Promise<SourceChunk[] | null> {
    if (this.fatal) throw this.fatal;
    let chunks = this.drain(maxRecords);
    if (chunks.length === 0) {
      // Nothing fetched yet: wait a little for a fetch rather than spin the runtime's loop.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.wake(), this.o.emptyPollWaitMs ?? 50);
        this.arrival = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      // The rest of that fetch response is delivered partition by partition right after the
      // first: let it land, so a poll does not return one partition of it alone (at the start,
      // partitions that produce a poll later would find the watermark moved past them).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.fatal) throw this.fatal;
      chunks = this.drain(maxRecords);
    }
    return chunks;
  }

  /** Takes up to `max` records, shared over the partitions that have some, in turn. */
  private drain(max: number): SourceChunk[] {
    const ready: [string, PartitionBuffer][] = [];
    for (const entry of this.buffers) if (entry[1].size > 0 && !entry[1].aligned) ready.push(entry);
    if (ready.length === 0) return [];
    const share = Math.max(1, Math.ceil(max / ready.length));
    const chunks: SourceChunk[] = [];
    let left = max;
    const start = this.next++ % ready.length;
    for (let k = 0; k < ready.length && left > 0; k++) {
      const [name, b] = ready[(start + k) % ready.length]!;
      const taken = b.take(Math.min(share, left));
      if (!taken) continue;
      left -= taken.offsets.length;
      this.returned[name] = taken.offsets[taken.offsets.length - 1]! + 1;
      const chunk: SourceChunk = { partition: name, payloads: taken.payloads, times: taken.times, offsets: taken.offsets };
      chunks.push(taken.meta || taken.traceparents ? { ...chunk, ...(taken.meta ? { meta: taken.meta } : {}), ...(taken.traceparents ? { traceparents: taken.traceparents } : {}) } : chunk);
      if (b.paused && b.size <= this.resumeAt) {
        b.paused = false;
        this.consumer!.resume([parsePartitionName(name)]);
        this.releaseHold();
      }
    }
    return chunks;
  }

  /** Watermark alignment: these partitions are not returned (nor fetched) until resumed. */
  pausePartitions(names: readonly (string | number)[]): void {
    const stop = [];
    for (const name of names) {
      const b = this.buffer(String(name));
      if (b.aligned) continue;
      b.aligned = true;
      if (!b.paused) stop.push(parsePartitionName(String(name)));
    }
    if (stop.length) this.consumer?.pause(stop);
  }

  /** Watermark alignment: these partitions are returned (and fetched) again. */
  resumePartitions(names: readonly (string | number)[]): void {
    const go = [];
    for (const name of names) {
      const b = this.buffers.get(String(name));
      if (!b?.aligned) continue;
      b.aligned = false;
      if (!b.paused) go.push(parsePartitionName(String(name)));
    }
    if (go.length) this.consumer?.resume(go);
    this.releaseHold();
  }

  /**
   * Next offset per partition: after the last record returned, else where the partition
   * begins (resolved at `open`), or, for a partition that appeared since, its first fetched
   * offset.
   */
  position(): KafkaSourcePosition {
    const out = { ...this.returned };
    for (const [name, b] of this.buffers) if (out[name] === undefined && b.firstOffset !== undefined) out[name] = b.firstOffset;
    return out;
  }

  async onCheckpointComplete(position: unknown): Promise<void> {
    const offsets = Object.entries(checkPosition(position)).map(([name, offset]) => ({ ...parsePartitionName(name), offset }));
    try {
      await this.consumer?.commit(offsets);
    } catch (error) {
      // The checkpoint, not the group, is authoritative: a failed commit only delays the hint.
      this.o.logger.warn('kafka offset commit failed; the next checkpoint commits again', { group: this.groupId, error: (error as Error).message });
    }
  }

  partitions(): readonly string[] {
    return this.assigned.map((p) => partitionName(p.topic, p.partition));
  }

  /**
   * A paused partition is not fetched, so its high watermark (from the fetches) would stand
   * still while the topic grows — the lag gauge blind exactly when it matters. While any
   * partition is paused, its high watermark is read from the brokers every few seconds.
   */
  private async refreshPausedHighWatermarks(): Promise<void> {
    const paused = this.assigned.filter((p) => {
      const b = this.buffers.get(partitionName(p.topic, p.partition));
      return b?.paused || b?.aligned;
    });
    if (this.refreshing || paused.length === 0) return;
    this.refreshing = true;
    try {
      if (!this.lagAdmin) {
        const admin = this.o.client.admin();
        await admin.connect();
        this.lagAdmin = admin;
      }
      for (const topic of new Set(paused.map((p) => p.topic))) {
        for (const o of await this.lagAdmin.fetchTopicOffsets(topic)) {
          const b = this.buffers.get(partitionName(topic, o.partition));
          if (b && (b.highWatermark === undefined || o.high > b.highWatermark)) b.highWatermark = o.high;
        }
      }
    } catch (error) {
      this.o.logger.debug('kafka source: reading high watermarks for the lag gauge failed', { error: (error as Error).message });
    } finally {
      this.refreshing = false;
    }
  }

  /** Per assigned partition: paused, and lag when known. */
  readings(): PartitionReading[] {
    return this.assigned.map((p) => {
      const name = partitionName(p.topic, p.partition);
      const b = this.buffers.get(name);
      // Before anything was returned, the consumer stands where its first fetch started.
      const at = this.returned[name] ?? b?.firstOffset;
      const hw = b?.highWatermark;
      return { topic: p.topic, partition: p.partition, paused: b?.paused ?? false, lag: hw !== undefined && at !== undefined ? Math.max(0, hw - at) : undefined };
    });
  }

  async close(): Promise<void> {
    this.metrics?.close();
    this.metrics = undefined;
    clearInterval(this.lagTimer);
    const admin = this.lagAdmin;
    this.lagAdmin = undefined;
    await admin?.close().catch(() => undefined);
    this.wake();
    this.releaseHold();
    const c = this.consumer;
    this.consumer = undefined;
    await c?.close();
  }
}

/**
 * The consumer's group session timeout: `session_timeout`, but for a task no longer than the
 * job's task group's (`job.task_session_timeout`). A killed process stays a member of its
 * tasks' groups until this session expires, and the new owner's join waits for that: with the
 * source's 30 s default and the task group's 10 s, a moved task read nothing for 30 s.
 */
export function sessionTimeoutOf(config: KafkaSourceConfig, task: TaskSlice | undefined): number {
  return task?.sessionTimeoutMs !== undefined ? Math.min(config.session_timeout, task.sessionTimeoutMs) : config.session_timeout;
}

/** A task reads partition p of every topic: each topic must have the task count's partitions. */
async function checkTaskPartitions(client: KafkaClientFactory, topics: readonly string[], id: string, task: TaskSlice): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const n = (await admin.fetchTopicOffsets(topic)).length;
      if (n !== task.count) throw new SluiceError('E_TASKS', `kafka source '${id}': topic '${topic}' has ${n} partitions, but the job runs as ${task.count} tasks (one per partition of its topics)`);
    }
  } finally {
    await admin.close();
  }
}
