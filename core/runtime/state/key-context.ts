import type { StateKey } from '../../api/state.ts';

/**
 * The key and event time that state handles and timers refer to. Only the runtime sets them:
 * the host before each record of a keyed batch (`processRecord`) and each timer, the
 * context inside `ctx.forKeys`; elsewhere there is no current key.
 */
export class KeyContext {
  /** Serialised key of the record or timer being handled. */
  key: StateKey | undefined = undefined;
  /** Event time of the record being handled; `-Infinity` when unknown. Used for event-time TTL. */
  time = Number.NEGATIVE_INFINITY;

  /** The current key; throws when none is set (a plugin touched state outside a key). */
  requireKey(): StateKey {
    const key = this.key;
    if (key === undefined) throw new Error('keyed state or timers used with no current key: only processRecord, onTimer and ctx.forKeys have one');
    return key;
  }
}

/** What TTL reads the current times from: the operator's watermark and processing time. */
export interface TtlClock {
  watermark(): number;
  now(): number;
}
