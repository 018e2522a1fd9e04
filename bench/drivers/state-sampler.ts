/**
 * Follows the state a run holds, for "state bytes per key": the largest key count seen
 * (the biggest table, since one keyed operator may keep several states per key) and the
 * backend's serialised-size estimate at that moment. State is gone at the end of a
 * finite run (end of input fires every window and bound), so it is sampled during it:
 * every 32768 state writes, through a thin wrapper around each table (one extra call per
 * write; timers cannot be used, a busy run may not reach the timer phase).
 */
import type { StateTable } from '../../core/api/index.ts';
import { MemoryStateBackend } from '../../core/runtime/state/memory-backend.ts';

const EVERY_WRITES = 32768;

export class SampledMemoryBackend extends MemoryStateBackend {
  private keys = 0;
  private bytes = 0;
  private writes = 0;
  private estimatedAt = 0;
  private bytesPerKey = 0;

  override table<T>(operatorId: string, stateName: string): StateTable<T> {
    const inner = super.table<T>(operatorId, stateName);
    const onWrite = () => {
      if (++this.writes === EVERY_WRITES) {
        this.writes = 0;
        this.sample();
      }
    };
    return {
      get: (key) => inner.get(key),
      set: (key, value) => {
        inner.set(key, value);
        onWrite();
      },
      delete: (key) => inner.delete(key),
      keys: () => inner.keys(),
      get size() {
        return inner.size;
      },
    };
  }

  /**
   * The estimate reads a sample spread over each table, which walks the table's keys: it is
   * taken again only once the key count has grown by 1/16 since the last one, and the
   * bytes per key it gave scale to the peak in between (the walk would otherwise cost a few
   * per cent of a run's CPU at a million keys).
   */
  sample(): void {
    let keys = 0;
    for (const size of this.tableSizes().values()) keys = Math.max(keys, size);
    if (keys <= this.keys) return;
    this.keys = keys;
    if (keys > this.estimatedAt * (1 + 1 / 16)) {
      this.estimatedAt = keys;
      this.bytesPerKey = this.approximateBytes() / keys;
    }
    this.bytes = Math.round(this.bytesPerKey * keys);
  }

  peak(): { state_keys?: number; state_bytes?: number } {
    return this.keys > 0 ? { state_keys: this.keys, state_bytes: this.bytes } : {};
  }
}
