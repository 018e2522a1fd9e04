/**
 * The per-operator keyed-state budget (`state.max_keys`): the most keys one operator may
 * hold, counted as its largest state table's size (a `Map.size`, so the check is O(states)).
 * Checked by the operator host after each batch, timer firing and watermark, so an operator
 * can overshoot by at most what one of those adds. Policy when reached: the job fails with
 * this error (located by the engine at the operator's block, restarted as any failure is,
 * then failed for good), never a heap abort. Back-pressure or spilling are not offered: an
 * operator's key count does not shrink by waiting for input.
 */
import { SluiceError } from '../../api/index.ts';

export class KeyBudgetExceeded extends SluiceError {
  constructor(readonly operator: string, readonly keys: number, readonly limit: number) {
    super('E_STATE_BUDGET',
      `operator '${operator}' holds ${keys} keys in keyed state, over its budget of ${limit} (setting state.max_keys, variable SLUICE_STATE_MAX_KEYS)`);
    this.name = 'KeyBudgetExceeded';
  }
}

/** A check against `limit` keys (0 or less: no budget). */
export function keyBudget(operator: string, limit: number, keyCount: () => number): () => void {
  if (!(limit > 0)) return () => {};
  return () => {
    const keys = keyCount();
    if (keys > limit) throw new KeyBudgetExceeded(operator, keys, limit);
  };
}
