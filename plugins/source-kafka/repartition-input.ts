/**
 * The source that starts a stage cut at a `repartition` operator (core/runtime/scale/stages.ts):
 * a `kafka` source on partition p of the internal topic (read_committed, the task's own
 * group) that takes the control records out of the stream (control-record.ts) and turns
 * them into the partition's explicit watermark: the minimum over the P upstream tasks'
 * latest watermarks (−∞ until every upstream task has spoken). The downstream stage is
 * compiled without out-of-orderness or idleness for this source, so this is its watermark.
 *
 * A poll ends at a control record that moves the watermark: the records before it are
 * returned with the new watermark, the rest wait for the next poll, so records after an
 * advance are judged against it, as they would be in one process. When every upstream task
 * has sent +∞ (end of input) and everything before is returned, the input ends.
 *
 * The position is the `kafka` source's offsets plus the upstream watermarks, so a restore
 * resumes with the watermark it had at the checkpoint.
 *
 * A control record that names a savepoint says its upstream task stopped there; once every
 * upstream task's marker of one savepoint has been returned, `savepointReached` says so and
 * this task takes its part of it (core/runtime/scale/stop-with-savepoint.ts). The markers
 * seen are part of the position, so a checkpoint between two of them loses neither.
 */
import type { OutputPartition, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { decodeControl, maybeControl } from '../../lib/kafka-client/control-record.ts';
import { maybePacked, unpack } from '../../lib/kafka-client/packed-records.ts';
import type { KafkaSourcePosition } from './records.ts';

/** The checkpointed position: offsets, and each upstream task's latest watermark (null: +∞). */
export interface RepartitionInputPosition {
  readonly offsets: KafkaSourcePosition;
  readonly upstream: readonly (readonly [number, number | null])[];
  /** Upstream task index → the savepoint it last said it stopped at. */
  readonly savepoints?: readonly (readonly [number, string])[];
}

export function offsetsOfPosition(position: unknown): KafkaSourcePosition | undefined {
  return position === undefined || position === null ? undefined : (position as RepartitionInputPosition).offsets;
}

export class RepartitionInput implements SourceInstance {
  /** Upstream task index → latest watermark. */
  private readonly upstream = new Map<number, number>();
  /** Upstream task index → the savepoint it stopped at (its latest marker). */
  private readonly stoppedAt = new Map<number, string>();
  private pending: SourceChunk[] = [];
  private ended = false;
  /** Control records taken out so far (tests, logs). */
  controls = 0;
  /** Records per message seen in the last poll (packed messages hold many), to size the next. */
  private recordsPerMessage = 1;

  constructor(
    private readonly inner: SourceInstance,
    /** Upstream tasks (the job's task count). */
    private readonly upstreamTasks: number,
  ) {}

  async open(position: unknown): Promise<void> {
    const p = position as RepartitionInputPosition | undefined | null;
    for (const [task, w] of p?.upstream ?? []) this.upstream.set(task, w === null ? Number.POSITIVE_INFINITY : w);
    for (const [task, id] of p?.savepoints ?? []) this.stoppedAt.set(task, id);
    await this.inner.open(p ? p.offsets : undefined);
  }

  savepointReached(id: string): boolean {
    if (this.stoppedAt.size < this.upstreamTasks) return false;
    for (const sp of this.stoppedAt.values()) if (sp !== id) return false;
    return true;
  }

  /** The downstream watermark: the minimum over all upstream tasks. */
  private watermark(): number {
    if (this.upstream.size < this.upstreamTasks) return Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.upstream.values()) if (w < min) min = w;
    return min;
  }

  async poll(maxRecords: number): Promise<SourceChunk[] | null> {
    if (this.pending.length === 0) {
      if (this.ended) return null;
      // Messages are packed: ask for about as many as hold `maxRecords` records.
      const chunks = await this.inner.poll(Math.max(1, Math.floor(maxRecords / this.recordsPerMessage)));
      if (chunks === null) return null;
      this.pending = chunks.map((c) => this.unpacked(c));
    }
    const out: SourceChunk[] = [];
    while (this.pending.length) {
      const chunk = this.pending.shift()!;
      const cut = this.take(chunk);
      out.push(cut.head);
      if (cut.rest) {
        this.pending.unshift(cut.rest);
        break;
      }
      if (cut.head.watermark !== undefined) break;
    }
    if (this.watermark() === Number.POSITIVE_INFINITY && this.pending.length === 0) this.ended = true;
    return out;
  }

  /**
   * The chunk with its packed messages unpacked (packed-records.ts): each record gets its
   * own payload and event time, and its message's offset (and metadata) as provenance.
   */
  private unpacked(chunk: SourceChunk): SourceChunk {
    const payloads = chunk.payloads ?? [];
    let found: { at: number; times: number[]; payloads: string[] }[] | undefined;
    for (let i = 0; i < payloads.length; i++) {
      if (!maybePacked(payloads[i]!)) continue;
      const records = unpack(payloads[i]!, chunk.times?.[i] ?? 0);
      if (records) (found ??= []).push({ at: i, ...records });
    }
    if (payloads.length) this.recordsPerMessage = found ? Math.max(1, (payloads.length - found.length + found.reduce((n, f) => n + f.payloads.length, 0)) / payloads.length) : 1;
    return found ? expand(chunk, found) : chunk;
  }

  /**
   * The chunk up to its first control record that moves the watermark (that record
   * included, the watermark set), and what follows it; the whole chunk when none does.
   * Control records that do not move it are dropped on the way.
   */
  private take(chunk: SourceChunk): { head: SourceChunk; rest?: SourceChunk } {
    const payloads = chunk.payloads ?? [];
    let controls: number[] | undefined;
    for (let i = 0; i < payloads.length; i++) {
      if (!maybeControl(payloads[i]!)) continue;
      const c = decodeControl(payloads[i]!);
      if (!c) continue;
      this.controls++;
      (controls ??= []).push(i);
      if (c.savepoint !== undefined) this.stoppedAt.set(c.task, c.savepoint);
      const before = this.watermark();
      if (c.watermark > (this.upstream.get(c.task) ?? Number.NEGATIVE_INFINITY)) this.upstream.set(c.task, c.watermark);
      const after = this.watermark();
      if (after > before) {
        const head = { ...without(slice(chunk, 0, i + 1), controls), watermark: after };
        return i + 1 < payloads.length ? { head, rest: slice(chunk, i + 1, payloads.length) } : { head };
      }
    }
    return { head: controls ? without(chunk, controls) : chunk };
  }

  /**
   * Records taken from the inner source but not returned yet (after a cut at a watermark)
   * are not consumed: the position of their partition is the offset of the first of them,
   * so a restore reads them again. A cut never falls inside a packed message (control
   * records are messages of their own), so no record of a message is read twice.
   */
  position(): RepartitionInputPosition {
    const offsets = { ...(this.inner.position() as KafkaSourcePosition) };
    for (const chunk of this.pending) {
      const first = chunk.offsets?.[0];
      const name = String(chunk.partition);
      if (typeof first === 'number' && (offsets[name] === undefined || first < offsets[name]!)) offsets[name] = first;
    }
    const upstream = [...this.upstream].map(([t, w]) => [t, w === Number.POSITIVE_INFINITY ? null : w] as const);
    return this.stoppedAt.size ? { offsets, upstream, savepoints: [...this.stoppedAt] } : { offsets, upstream };
  }

  async onCheckpointComplete(position: unknown): Promise<void> {
    await this.inner.onCheckpointComplete?.(offsetsOfPosition(position));
  }

  partitions(): readonly (string | number | OutputPartition)[] {
    return this.inner.partitions?.() ?? [];
  }

  pausePartitions(partitions: readonly (string | number)[]): void {
    this.inner.pausePartitions?.(partitions);
  }

  resumePartitions(partitions: readonly (string | number)[]): void {
    this.inner.resumePartitions?.(partitions);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

type Column = keyof Pick<SourceChunk, 'payloads' | 'times' | 'offsets' | 'meta' | 'values' | 'lines'>;
const COLUMNS: readonly Column[] = ['payloads', 'times', 'offsets', 'meta', 'values', 'lines'];

function slice(chunk: SourceChunk, from: number, to: number): SourceChunk {
  const out: Record<string, unknown> = { partition: chunk.partition };
  if (chunk.output !== undefined) out.output = chunk.output;
  for (const c of COLUMNS) if (chunk[c]) out[c] = chunk[c].slice(from, to);
  return out as unknown as SourceChunk;
}

/** The chunk without the records at `drop` (sorted indices). */
function without(chunk: SourceChunk, drop: readonly number[]): SourceChunk {
  if (drop.length === 0) return chunk;
  const skip = new Set(drop);
  const out: Record<string, unknown> = { partition: chunk.partition };
  if (chunk.output !== undefined) out.output = chunk.output;
  if (chunk.watermark !== undefined) out.watermark = chunk.watermark;
  for (const c of COLUMNS) if (chunk[c]) out[c] = (chunk[c] as readonly unknown[]).filter((_, i) => !skip.has(i));
  return out as unknown as SourceChunk;
}

/** The chunk with the messages at `found[k].at` replaced by their records; other columns repeat the message's entry. */
function expand(chunk: SourceChunk, found: readonly { at: number; times: number[]; payloads: string[] }[]): SourceChunk {
  const payloads: (string | Uint8Array)[] = [];
  const times: number[] = [];
  const index: number[] = [];
  let next = 0;
  const n = chunk.payloads!.length;
  for (let i = 0; i < n; i++) {
    const f = found[next];
    if (f && f.at === i) {
      next++;
      for (let j = 0; j < f.payloads.length; j++) {
        payloads.push(f.payloads[j]!);
        times.push(f.times[j]!);
        index.push(i);
      }
    } else {
      payloads.push(chunk.payloads![i]!);
      times.push(chunk.times?.[i] ?? 0);
      index.push(i);
    }
  }
  const out: Record<string, unknown> = { partition: chunk.partition, payloads, times };
  if (chunk.output !== undefined) out.output = chunk.output;
  if (chunk.watermark !== undefined) out.watermark = chunk.watermark;
  if (chunk.traceparents !== undefined) out.traceparents = chunk.traceparents;
  for (const c of ['offsets', 'meta', 'values', 'lines'] as const) {
    const column = chunk[c] as readonly unknown[] | undefined;
    if (column) out[c] = index.map((i) => column[i]);
  }
  return out as unknown as SourceChunk;
}
