/**
 * What the consumer fetched for one partition and the source has not returned yet: a queue
 * of segments, one per fetched batch, drained front to back. A poll takes a slice of a
 * segment's arrays, so records move in arrays, never one by one.
 */
import { traceparentsIn } from '../../core/api/index.ts';
import type { Row, TraceparentProbe } from '../../core/api/index.ts';

export interface Segment {
  readonly payloads: readonly Uint8Array[];
  readonly times: readonly number[];
  readonly offsets: readonly number[];
  readonly meta: readonly Row[] | undefined;
  /** `traceparent` headers of a few of the segment's records, by index in the segment. */
  readonly traceparents?: readonly TraceparentProbe[] | undefined;
}

export interface Taken {
  readonly payloads: Uint8Array[];
  readonly times: number[];
  readonly offsets: number[];
  readonly meta: Row[] | undefined;
  /** Distinct `traceparent` values probed among the records taken. */
  readonly traceparents?: string[] | undefined;
}

export class PartitionBuffer {
  private readonly segments: Segment[] = [];
  /** Records of `segments[0]` already taken. */
  private head = 0;
  /** Records held. */
  size = 0;
  /** True while the consumer is paused for this partition because the buffer is full. */
  paused = false;
  /** True while watermark alignment pauses the partition: not returned, not fetched. */
  aligned = false;
  /** The offset after the last record fetched into the buffer (where a re-join seeks to). */
  fetchNext: number | undefined;
  /** The partition's high watermark as last fetched. */
  highWatermark: number | undefined;
  /** The first offset ever fetched into the buffer (where reading started). */
  firstOffset: number | undefined;

  push(segment: Segment, highWatermark: number): void {
    const n = segment.offsets.length;
    if (n === 0) return;
    this.firstOffset ??= segment.offsets[0];
    this.segments.push(segment);
    this.size += n;
    this.fetchNext = segment.offsets[n - 1]! + 1;
    this.highWatermark = highWatermark;
  }

  /** Takes up to `max` records in offset order. */
  take(max: number): Taken | undefined {
    if (this.size === 0 || max <= 0) return undefined;
    const first = this.segments[0]!;
    const available = first.offsets.length - this.head;
    // The common case: one whole segment (a fetched batch) goes out as it came.
    if (this.head === 0 && (this.segments.length === 1 ? available <= max : available === max)) {
      this.segments.shift();
      this.size -= available;
      return { payloads: first.payloads as Uint8Array[], times: first.times as number[], offsets: first.offsets as number[], meta: first.meta as Row[] | undefined, traceparents: traceparentsIn(first.traceparents) };
    }
    const parts: Taken[] = [];
    let left = max;
    while (left > 0 && this.segments.length) {
      const s = this.segments[0]!;
      const from = this.head;
      const to = Math.min(s.offsets.length, from + left);
      parts.push({ payloads: s.payloads.slice(from, to), times: s.times.slice(from, to), offsets: s.offsets.slice(from, to), meta: s.meta?.slice(from, to), traceparents: traceparentsIn(s.traceparents, from, to) });
      left -= to - from;
      this.size -= to - from;
      if (to === s.offsets.length) {
        this.segments.shift();
        this.head = 0;
      } else this.head = to;
    }
    if (parts.length === 1) return parts[0];
    return {
      payloads: parts.flatMap((p) => p.payloads),
      times: parts.flatMap((p) => p.times),
      offsets: parts.flatMap((p) => p.offsets),
      meta: parts[0]!.meta ? parts.flatMap((p) => p.meta!) : undefined,
      traceparents: distinct(parts.flatMap((p) => p.traceparents ?? [])),
    };
  }

  /** Forgets what is held (the partition was sought elsewhere). */
  clear(): void {
    this.segments.length = 0;
    this.head = 0;
    this.size = 0;
  }
}

function distinct(values: string[]): string[] | undefined {
  return values.length ? [...new Set(values)] : undefined;
}
