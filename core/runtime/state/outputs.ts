/**
 * What one operator emitted since the caller last took it: main and named outputs, late
 * and dead-letter rows, each in a `BatchBuilder`. Late and dead-letter rows have the shapes
 * the pipeline's late and dead-letter outputs write:
 *
 *   late:        { operator, reason, watermark, event_time, record, provenance }
 *   dead letter: { operator, reason, error, record, provenance }
 *
 * with `reason` from a `RecordError`, else `plugin_error`, and `error` the message.
 */
import { BatchBuilder } from '../../api/records.ts';
import type { Batch, ProvenanceRef, Row } from '../../api/records.ts';
import { RecordError } from '../../api/errors.ts';

export interface OperatorOutputs {
  readonly main: Batch;
  /** By output name; only names that received records. */
  readonly named: Readonly<Record<string, Batch>>;
  readonly late: Batch;
  readonly deadLetter: Batch;
}

export function errorReason(error: unknown): string {
  return error instanceof RecordError ? error.reason : 'plugin_error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class OutputCollector {
  readonly main = new BatchBuilder();
  readonly named = new Map<string, BatchBuilder>();
  readonly late = new BatchBuilder();
  readonly deadLetter = new BatchBuilder();

  constructor(
    private readonly operatorId: string,
    /** Declared named outputs; emitting to another name is a plugin bug. */
    private readonly declared: readonly string[],
  ) {
    for (const name of declared) this.named.set(name, new BatchBuilder());
  }

  namedBuilder(name: string): BatchBuilder {
    const builder = this.named.get(name);
    if (!builder) throw new Error(`operator '${this.operatorId}' emitted to undeclared output '${name}' (declared: ${this.declared.join(', ') || 'none'})`);
    return builder;
  }

  addLate(value: Row, time: number, reason: string, watermark: number, provenance: ProvenanceRef): void {
    const row = { operator: this.operatorId, reason, watermark, event_time: time, record: value, provenance: provenance ?? null };
    this.late.push(row, time, 'insert', provenance);
  }

  addDeadLetter(value: unknown, time: number, error: unknown, provenance: ProvenanceRef): void {
    const row = { operator: this.operatorId, reason: errorReason(error), error: errorMessage(error), record: value, provenance: provenance ?? null };
    this.deadLetter.push(row, time, 'insert', provenance);
  }

  /** Hands everything over and starts empty. */
  take(): OperatorOutputs {
    const named: Record<string, Batch> = {};
    for (const [name, builder] of this.named) if (builder.length) named[name] = builder.take();
    return { main: this.main.take(), named, late: this.late.take(), deadLetter: this.deadLetter.take() };
  }

  get pending(): number {
    let n = this.main.length + this.late.length + this.deadLetter.length;
    for (const b of this.named.values()) n += b.length;
    return n;
  }
}
