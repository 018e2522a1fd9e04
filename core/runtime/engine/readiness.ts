/**
 * What `/ready` says about a job (issue 12): ready while an attempt runs (restored, plugins
 * open) and no operator is stalled. An operator is stalled while only inputs it blocks
 * (`blockedInputs()`, e.g. an `interval_join` side at `max_buffered_per_side`) have records
 * waiting and the engine feeds them anyway past its bound (operator-task.ts): the job makes
 * progress only by overrunning that bound, so a probe should see it. `/ready` then answers
 * 503 with a line per stalled operator, until the operator takes input normally again (or
 * the attempt ends: a stall that persists fails the job through the operator's own limit).
 */
import { formatLocation } from '../../api/index.ts';
import { stageLocation } from './errors.ts';
import type { StageRef } from './errors.ts';

/** `detail`: the lines naming what keeps the job from being ready ('' when nothing does). */
export type PublishReadiness = (ready: boolean, detail: string) => void;

export class Readiness {
  private running = false;
  /** Operator id → its line in the `/ready` body. */
  private readonly stalled = new Map<string, string>();

  constructor(private readonly publish: PublishReadiness) {}

  /** An attempt started (true) or ended (false); an ended attempt's stalls are forgotten. */
  setRunning(running: boolean): void {
    this.running = running;
    if (!running) this.stalled.clear();
    this.emit();
  }

  /** The operator entered (true) or left (false) a stall; publishes only on a change. */
  setStalled(stage: StageRef, stalled: boolean): void {
    if (stalled === this.stalled.has(stage.id)) return;
    if (stalled) {
      const at = stageLocation(stage);
      const where = at ? `, ${formatLocation(at)}` : '';
      this.stalled.set(stage.id, `stalled: operator '${stage.id}' (${stage.plugin}${where}): only inputs it blocks have records waiting; they are fed past its bound`);
    } else {
      this.stalled.delete(stage.id);
    }
    this.emit();
  }

  private emit(): void {
    const detail = [...this.stalled.values()].map((line) => `${line}\n`).join('');
    this.publish(this.running && this.stalled.size === 0, detail);
  }
}
