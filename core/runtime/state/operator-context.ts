/**
 * The `OperatorContext` a plugin receives, as the operator host implements it. One object
 * per operator, reused for every batch and timer (no allocation per record).
 */
import type { ChangeKind, KeyedBatch, KeyVisitor, OperatorContext, ProvenanceRef, Row, StateKey, TimerService } from '../../api/index.ts';
import type { Clock } from '../../api/time.ts';
import type { KeyContext } from './key-context.ts';
import type { OutputCollector } from './outputs.ts';

export class HostContext implements OperatorContext {
  watermark = Number.NEGATIVE_INFINITY;
  /** The batch being processed, for `fail(i)`; undefined outside `processBatch`. */
  batch: KeyedBatch | undefined;
  readonly counters = new Map<string, number>();

  constructor(
    readonly operatorId: string,
    readonly timers: TimerService,
    private readonly keys: KeyContext,
    private readonly clock: Clock,
    private readonly out: OutputCollector,
  ) {}

  processingTime(): number {
    return this.clock.now();
  }

  get currentKey(): StateKey | undefined {
    return this.keys.key;
  }

  forKeys(keys: readonly (StateKey | undefined)[], times: readonly number[] | undefined, visit: KeyVisitor): void {
    const k = this.keys;
    const outer = k.key;
    const outerTime = k.time;
    try {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === undefined) continue;
        k.key = key;
        k.time = times === undefined ? Number.NEGATIVE_INFINITY : times[i]!;
        visit(i, this);
      }
    } finally {
      k.key = outer;
      k.time = outerTime;
    }
  }

  emit(value: Row, time: number, kind: ChangeKind = 'insert', provenance?: ProvenanceRef): void {
    this.out.main.push(value, time, kind, provenance);
  }

  emitTo(output: string, value: Row, time: number, kind: ChangeKind = 'insert', provenance?: ProvenanceRef): void {
    this.out.namedBuilder(output).push(value, time, kind, provenance);
  }

  late(value: Row, time: number, reason: string, provenance?: ProvenanceRef): void {
    this.out.addLate(value, time, reason, this.watermark, provenance);
    this.count('late');
  }

  fail(index: number, error: unknown): void {
    const batch = this.batch;
    if (!batch || index < 0 || index >= batch.length) throw new Error(`ctx.fail(${index}) outside the current batch`);
    this.out.addDeadLetter(batch.values[index], batch.times[index]!, error, batch.provenance?.[index]);
    this.count('dead_lettered');
  }

  deadLetter(value: Row, error: unknown, provenance?: ProvenanceRef): void {
    const time = Number.isFinite(this.keys.time) ? this.keys.time : Number.isFinite(this.watermark) ? this.watermark : 0;
    this.out.addDeadLetter(value, time, error, provenance);
    this.count('dead_lettered');
  }

  count(name: string, delta = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + delta);
  }
}
