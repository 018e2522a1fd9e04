/**
 * One checkpoint attempt's hold on the job: from the moment the sources are asked to pause
 * until they and the operators are let go (`end`, once). With a state capture the hold ends
 * at the barrier, before the state is written; without one (a backend with no `capture`),
 * at the end of the attempt, as a stop-the-world checkpoint. It also holds the attempt's
 * state capture, so whoever gives up on the attempt (its time-out) can release it.
 */
import type { StateCapture } from '../../api/index.ts';

export interface Pausable {
  resume(): void;
}

export interface Freezable {
  unfreeze(): void;
}

export class CheckpointBarrier {
  private readonly since = performance.now();
  private endedAt: number | undefined;
  private held: StateCapture | undefined;
  cancelled = false;

  constructor(
    private readonly sources: readonly Pausable[],
    private readonly flow: Freezable,
  ) {}

  /** Lets the operators and the sources go on; later calls do nothing. */
  end(): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = performance.now();
    this.flow.unfreeze();
    for (const source of this.sources) source.resume();
  }

  /** Milliseconds the sources were held (so far, while still held). */
  get pausedMs(): number {
    return (this.endedAt ?? performance.now()) - this.since;
  }

  /** The state capture taken at the barrier; released by `cancel` or `release`. */
  hold(capture: StateCapture | undefined): StateCapture | undefined {
    this.held = capture;
    return capture;
  }

  /** Frees the capture (the attempt completed, failed or was given up). */
  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** Gives the attempt up: its writer stops at the next chunk, the capture is freed, the job goes on. */
  cancel(): void {
    this.cancelled = true;
    this.release();
    this.end();
  }
}
