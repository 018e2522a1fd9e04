/**
 * Admission: what the runtime does to a source's chunk before it enters the graph. It
 * decodes payloads with the block's codec, assigns event times (from `event_time.field`,
 * else the chunk's `times`, else processing time), adds `_meta`, and attaches provenance
 * (source, output, partition, offset or line). A payload that does not decode goes to the
 * dead-letter output with its original text; a record without a valid event time with
 * reason `bad_event_time`. One loop per chunk; no Promise per record.
 */
import { RecordError } from '../../api/index.ts';
import type { BatchBuilder, Provenance, Row, SourceChunk } from '../../api/index.ts';
import type { Codec } from '../codec/index.ts';
import { eventTimeReader } from './event-time.ts';

export interface AdmissionOptions {
  readonly sourceId: string;
  readonly codec: Codec;
  /** `event_time.field`; undefined: the chunk's times (or processing time). */
  readonly timeField: string | undefined;
  /** `event_time.max_future` (ms); undefined: no check. */
  readonly maxFuture?: number;
  /** The wall clock the future is judged by (not the processing clock, which may be logical). */
  readonly wallClock?: () => number;
}

/** Dead-letter rows in the shape the operator host writes (core/runtime/state/outputs.ts). */
export function deadLetterRow(stage: string, error: RecordError | Error, record: unknown, provenance: Provenance | undefined): Row {
  return {
    operator: stage,
    reason: error instanceof RecordError ? error.reason : 'plugin_error',
    error: error.message,
    record,
    provenance: provenance ?? null,
  };
}

function futureError(time: number, maxFuture: number): RecordError {
  const when = Number.isFinite(new Date(time).getTime()) ? new Date(time).toISOString() : String(time);
  return new RecordError('event_time_in_future', `event time ${when} is more than event_time.max_future (${maxFuture} ms) ahead of the wall clock`);
}

export class Admission {
  private readonly readTime: ((row: Row) => number) | undefined;

  constructor(private readonly options: AdmissionOptions) {
    this.readTime = options.timeField === undefined ? undefined : eventTimeReader(options.timeField);
  }

  /**
   * Admits one chunk: its good records are appended to `out` (the builder of the chunk's
   * output), its bad ones to `dead`. Returns how many records went to `out`; their event
   * times are `out.times[from .. from + n)`, for the watermark generator.
   */
  admit(chunk: SourceChunk, out: BatchBuilder, dead: BatchBuilder, now: number): number {
    const { sourceId, codec } = this.options;
    const { output, partition, offsets, lines, meta, times } = chunk;
    let rows: readonly (Row | undefined)[];
    let decodeFailures: readonly { index: number; error: RecordError; payload: string }[] = [];
    if (chunk.values) rows = chunk.values;
    else if (chunk.payloads) {
      const decoded = codec.decode(chunk.payloads);
      rows = decoded.rows;
      decodeFailures = decoded.failures;
    } else rows = [];
    const n = rows.length;
    // Provenance: one object per record when the chunk has offsets or lines, else one shared.
    const perRecord = offsets !== undefined || lines !== undefined;
    const shared: Provenance | undefined = perRecord ? undefined : Object.freeze(output ? { source: sourceId, output, partition } : { source: sourceId, partition });
    const provenanceOf = (i: number): Provenance => {
      if (shared) return shared;
      const p: { source: string; output?: string; partition: string | number; offset?: string | number; line?: number } = { source: sourceId, partition };
      if (output) p.output = output;
      if (offsets) p.offset = offsets[i]!;
      if (lines) p.line = lines[i]!;
      return p;
    };
    for (const f of decodeFailures) {
      dead.push(deadLetterRow(sourceId, f.error, f.payload, provenanceOf(f.index)), times?.[f.index] ?? now, 'insert', provenanceOf(f.index));
    }
    const readTime = this.readTime;
    const maxFuture = this.options.maxFuture;
    const latest = maxFuture === undefined ? Infinity : (this.options.wallClock ?? Date.now)() + maxFuture;
    let admitted = 0;
    for (let i = 0; i < n; i++) {
      let row = rows[i];
      if (row === undefined) continue;
      const m = meta?.[i];
      if (m !== undefined) row = chunk.values ? { ...row, _meta: m } : Object.assign(row, { _meta: m });
      let time: number;
      if (readTime) {
        time = readTime(row);
        if (Number.isNaN(time)) {
          const error = new RecordError('bad_event_time', `field '${this.options.timeField}' holds no event time (epoch ms or ISO-8601)`);
          const p = provenanceOf(i);
          dead.push(deadLetterRow(sourceId, error, row, p), times?.[i] ?? now, 'insert', p);
          continue;
        }
      } else {
        time = times?.[i] ?? now;
      }
      if (time > latest) {
        const p = provenanceOf(i);
        dead.push(deadLetterRow(sourceId, futureError(time, maxFuture!), row, p), now, 'insert', p);
        continue;
      }
      out.push(row, time, 'insert', provenanceOf(i));
      admitted++;
    }
    return admitted;
  }
}
