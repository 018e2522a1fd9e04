/**
 * The operator watermark as docs/architecture.md §3 defines it, for the oracles: per input the largest
 * watermark set so far; the operator's is the minimum over its inputs and never goes back.
 * Imports nothing from the runtime.
 */
export class OracleWatermark {
  private readonly inputs: number[];
  current = Number.NEGATIVE_INFINITY;

  constructor(inputs: number) {
    this.inputs = new Array<number>(inputs).fill(Number.NEGATIVE_INFINITY);
  }

  /** Sets input `input` (every input when undefined); returns the operator watermark. */
  set(value: number, input?: number): number {
    this.inputs.forEach((w, i) => {
      if (input === undefined || input === i) this.inputs[i] = Math.max(w, value);
    });
    this.current = Math.max(this.current, Math.min(...this.inputs));
    return this.current;
  }
}

export interface LateRow {
  operator: string;
  reason: string;
  watermark: number;
  event_time: number;
  record: Record<string, unknown>;
  provenance: unknown;
}
