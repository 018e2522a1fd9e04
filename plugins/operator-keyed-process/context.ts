/** The reusable `KeyedProcessContext` over the operator context. */
import type { ChangeKind, KeyedProcessContext, OperatorContext, ProvenanceRef, Row, TimeDomain, TimerService } from '../../core/api/index.ts';

export class ProcessContext implements KeyedProcessContext {
  ctx!: OperatorContext;
  key = '';
  timestamp = 0;
  input = -1;
  index = -1;
  value: Row | undefined;
  provenance: ProvenanceRef;
  domain: TimeDomain | undefined;

  constructor(
    readonly options: Record<string, unknown>,
    readonly state: KeyedProcessContext['state'],
  ) {}

  get watermark(): number {
    return this.ctx.watermark;
  }
  get timers(): TimerService {
    return this.ctx.timers;
  }
  processingTime(): number {
    return this.ctx.processingTime();
  }
  emit(value: Row, time = this.timestamp, kind: ChangeKind = 'insert', provenance: ProvenanceRef = this.provenance): void {
    this.ctx.emit(value, time, kind, provenance);
  }
  emitTo(output: string, value: Row, time = this.timestamp, kind: ChangeKind = 'insert', provenance: ProvenanceRef = this.provenance): void {
    this.ctx.emitTo(output, value, time, kind, provenance);
  }
  late(reason: string): void {
    if (this.value === undefined) throw new Error('ctx.late(reason) outside processElement: use ctx.lateRecord');
    this.ctx.late(this.value, this.timestamp, reason, this.provenance);
  }
  lateRecord(value: Row, time: number, reason: string, provenance?: ProvenanceRef): void {
    this.ctx.late(value, time, reason, provenance);
  }
  fail(error: unknown): void {
    if (this.index < 0) throw new Error('ctx.fail(error) outside processElement: use ctx.deadLetter');
    this.ctx.fail(this.index, error);
  }
  deadLetter(value: Row, error: unknown, provenance?: ProvenanceRef): void {
    this.ctx.deadLetter(value, error, provenance);
  }
  count(name: string, delta?: number): void {
    this.ctx.count(name, delta);
  }
}
