/**
 * The watermark of an operator: the minimum over its non-broadcast inputs, never going
 * back (docs/architecture.md §3). Broadcast inputs (side inputs such as reference data) do not
 * hold it back. An operator whose inputs are all broadcast follows their minimum.
 */
import { MIN_WATERMARK } from '../../api/time.ts';

export interface InputWatermarkState {
  readonly inputs: readonly number[];
  readonly current: number;
}

export class InputWatermarks {
  private readonly inputs: number[];
  private readonly counted: number[];
  private value = MIN_WATERMARK;

  constructor(inputCount: number, broadcastInputs: readonly number[] = []) {
    this.inputs = new Array<number>(inputCount).fill(MIN_WATERMARK);
    const broadcast = new Set(broadcastInputs);
    this.counted = [];
    for (let i = 0; i < inputCount; i++) if (!broadcast.has(i)) this.counted.push(i);
    if (this.counted.length === 0) for (let i = 0; i < inputCount; i++) this.counted.push(i);
  }

  /**
   * Input `input` reached `watermark`. Returns the operator's new watermark when it
   * advanced, else undefined. An input's own watermark never goes back either.
   */
  advance(input: number, watermark: number): number | undefined {
    if (!(watermark > this.inputs[input]!)) return undefined;
    this.inputs[input] = watermark;
    let min = Number.POSITIVE_INFINITY;
    for (const i of this.counted) {
      const w = this.inputs[i]!;
      if (w < min) min = w;
    }
    if (min > this.value) {
      this.value = min;
      return min;
    }
    return undefined;
  }

  get current(): number {
    return this.value;
  }

  input(i: number): number {
    return this.inputs[i]!;
  }

  snapshot(): InputWatermarkState {
    return { inputs: [...this.inputs], current: this.value };
  }

  restore(state: InputWatermarkState): void {
    for (let i = 0; i < this.inputs.length; i++) this.inputs[i] = state.inputs[i] ?? MIN_WATERMARK;
    this.value = state.current;
  }
}
