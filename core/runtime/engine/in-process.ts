/**
 * `runPipelineInProcess`: runs a compiled pipeline in this process on given inputs and
 * returns what reached each sink, the late output and the dead-letter output — for
 * declarative pipeline tests (`sluice test`) and plugin authors (re-exported by
 * core/testing).
 *
 * Inputs are given per source id as records and watermarks, in order. Records up to a
 * watermark (or the end) form one poll, so a watermark applies after the records before
 * it, exactly as a source's explicit watermark does. Sources given no inputs run their
 * real plugin. Every sink is replaced by a collector. The run uses a logical clock, no
 * checkpoints and no telemetry export, so it repeats exactly.
 */
import { ManualClock } from '../../api/index.ts';
import type { Batch, ChangeKind, ProvenanceRef, Row, SinkInstance, SourceChunk, SourceInstance } from '../../api/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import type { EngineOptions, JobResult } from './options.ts';
import { runJob } from './run-job.ts';

export interface PipelineInputRecord {
  readonly value: Row;
  /** Event time when the source names no `event_time.field`. */
  readonly time?: number;
  readonly partition?: string | number;
  /** Named output of the source, when it has several. */
  readonly output?: string;
}

export interface PipelineInputWatermark {
  /** An explicit watermark for the partition, after the records before it. */
  readonly watermark: number;
  readonly partition?: string | number;
  readonly output?: string;
}

export type PipelineInput = readonly (PipelineInputRecord | PipelineInputWatermark)[];

export interface CollectedRecord {
  readonly value: Row;
  readonly time: number;
  readonly kind: ChangeKind;
  readonly provenance?: ProvenanceRef;
}

export interface PipelineOutputs {
  /** By sink id. */
  readonly sinks: Readonly<Record<string, readonly CollectedRecord[]>>;
  readonly late: readonly CollectedRecord[];
  readonly deadLetter: readonly CollectedRecord[];
  readonly result: JobResult;
}

/** Groups inputs into polls: each poll ends at a watermark. */
export function inputPolls(input: PipelineInput): SourceChunk[][] {
  const polls: SourceChunk[][] = [];
  let chunks = new Map<string, { partition: string | number; output?: string; values: Row[]; times: number[]; timed: boolean }>();
  const flush = (wm?: PipelineInputWatermark): void => {
    const out: SourceChunk[] = [...chunks.values()].map((c) => ({
      partition: c.partition,
      ...(c.output !== undefined ? { output: c.output } : {}),
      values: c.values,
      ...(c.timed ? { times: c.times } : {}),
    }));
    if (wm) {
      const partition = wm.partition ?? 0;
      const same = out.find((c) => c.partition === partition && c.output === wm.output);
      if (same) Object.assign(same, { watermark: wm.watermark });
      else out.push({ partition, ...(wm.output !== undefined ? { output: wm.output } : {}), values: [], watermark: wm.watermark });
    }
    if (out.length) polls.push(out);
    chunks = new Map();
  };
  for (const item of input) {
    if ('watermark' in item) {
      flush(item);
      continue;
    }
    const partition = item.partition ?? 0;
    const tag = `${item.output ?? ''}\u0000${String(partition)}`;
    let c = chunks.get(tag);
    if (!c) chunks.set(tag, (c = { partition, ...(item.output !== undefined ? { output: item.output } : {}), values: [], times: [], timed: false }));
    c.values.push(item.value);
    c.times.push(item.time ?? 0);
    if (item.time !== undefined) c.timed = true;
  }
  flush();
  return polls;
}

class FixtureSource implements SourceInstance {
  private next = 0;
  constructor(private readonly polls: readonly SourceChunk[][]) {}
  open(position: unknown): Promise<void> {
    this.next = typeof position === 'number' ? position : 0;
    return Promise.resolve();
  }
  poll(): Promise<SourceChunk[] | null> {
    return Promise.resolve(this.next < this.polls.length ? this.polls[this.next++]! : null);
  }
  position(): unknown {
    return this.next;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class Collector implements SinkInstance {
  constructor(private readonly into: CollectedRecord[]) {}
  open(): Promise<void> {
    this.into.length = 0;
    return Promise.resolve();
  }
  write(batch: Batch): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const p = batch.provenance?.[i];
      this.into.push({ value: batch.values[i]!, time: batch.times[i]!, kind: batch.kinds?.[i] ?? 'insert', ...(p !== undefined ? { provenance: p } : {}) });
    }
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export async function runPipelineInProcess(
  pipeline: CompiledPipeline,
  inputs: Readonly<Record<string, PipelineInput>> = {},
  options: EngineOptions = {},
): Promise<PipelineOutputs> {
  for (const id of Object.keys(inputs)) {
    if (!pipeline.sources.some((s) => s.id === id)) throw new Error(`inputs name source '${id}', which the pipeline does not have (sources: ${pipeline.sources.map((s) => s.id).join(', ')})`);
  }
  const sinks: Record<string, CollectedRecord[]> = {};
  for (const s of pipeline.sinks) sinks[s.id] = [];
  const late: CollectedRecord[] = [];
  const deadLetter: CollectedRecord[] = [];
  const sources: Record<string, () => SourceInstance> = {};
  for (const [id, input] of Object.entries(inputs)) {
    const polls = inputPolls(input);
    sources[id] = () => new FixtureSource(polls);
  }
  const result = await runJob(pipeline, {
    clock: new ManualClock(0),
    idlePollMs: 0,
    checkpoint: { store: null },
    restart: { maxAttempts: 0 },
    ...options,
    overrides: {
      sources,
      sinks: Object.fromEntries(pipeline.sinks.map((s) => [s.id, () => new Collector(sinks[s.id]!)])),
      late: () => new Collector(late),
      deadLetter: () => new Collector(deadLetter),
    },
  });
  if (result.status === 'failed' && result.error) throw result.error;
  return { sinks, late, deadLetter, result };
}
