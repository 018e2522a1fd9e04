/**
 * The `hbase` sink's pipelined writer. A flush hands its rows (distinct keys, each with its
 * version) to `push`, which cuts them into chunks of `putRows` and returns at once; up to
 * `maxInFlight` chunk requests run at a time, across flushes, while the sink keeps
 * buffering. `waitBelow(n)` is the back-pressure: it resolves once at most `n` rows are
 * still unacknowledged.
 *
 * Order per row: two flushes may hold the same row key and be in flight together; HBase
 * keeps the cell with the highest timestamp and every flush stamps its rows with versions
 * above all earlier ones (versions.ts), so the row ends as the last change whatever order
 * the requests land in (a timestamped delete only hides versions up to its own).
 *
 * Failures: a failed chunk goes back to the front of the queue and sending stops; waiters
 * are rejected with the error (the sink turns it into a retry). `resume` sends again,
 * exactly the chunks not acknowledged, with their original versions.
 */

/** One row to write: its key, its column values (undefined: delete the row) and its version. */
export interface OutRow {
  readonly key: string;
  readonly values: readonly unknown[] | undefined;
  readonly version: number;
}

type Waiter = () => boolean;

export class PutQueue {
  private readonly chunks: OutRow[][] = [];
  private active = 0;
  private unacked = 0;
  private failure: unknown;
  private waiters: Waiter[] = [];

  constructor(
    private readonly send: (chunk: readonly OutRow[]) => Promise<void>,
    private readonly putRows: number,
    private readonly maxInFlight: number,
  ) {}

  /** Rows pushed and not yet acknowledged (queued or in flight). */
  get outstanding(): number {
    return this.unacked;
  }

  /** The error that stopped sending, until `resume`. */
  get failed(): unknown {
    return this.failure;
  }

  /** Queues the rows of one flush (distinct keys) and starts sending; does not wait. */
  push(rows: readonly OutRow[]): void {
    if (rows.length === 0) return;
    for (let from = 0; from < rows.length; from += this.putRows) this.chunks.push(rows.slice(from, from + this.putRows));
    this.unacked += rows.length;
    this.pump();
  }

  /** After a failure: sends the chunks left over, then the rest. */
  resume(): void {
    this.failure = undefined;
    this.pump();
  }

  /**
   * Resolves once at most `limit` rows are unacknowledged; rejects with the failure when
   * a request failed (now or before, until `resume`).
   */
  waitBelow(limit: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check: Waiter = () => {
        if (this.failure !== undefined) reject(this.failure);
        else if (this.unacked <= limit) resolve();
        else return false;
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  private pump(): void {
    while (this.failure === undefined && this.active < this.maxInFlight && this.chunks.length > 0) {
      const chunk = this.chunks.shift()!;
      this.active++;
      this.send(chunk).then(
        () => {
          this.unacked -= chunk.length;
          this.settled();
        },
        (error: unknown) => {
          this.chunks.unshift(chunk);
          this.failure ??= error;
          this.settled();
        },
      );
    }
  }

  private settled(): void {
    this.active--;
    this.pump();
    if (this.waiters.length) this.waiters = this.waiters.filter((w) => !w());
  }
}
