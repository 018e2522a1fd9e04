import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER_ID_BLOCK, ownerIds } from './checkpointer.ts';

void test('each owner of a task takes checkpoint ids in a block above the latest complete one, so an old and a new owner never share an id', () => {
  const first = ownerIds(0);
  assert.equal(first.next(), OWNER_ID_BLOCK + 1);
  assert.equal(first.next(), OWNER_ID_BLOCK + 2);
  // The new owner restores the old one's latest (OWNER_ID_BLOCK + 2) while the old one's hand-off checkpoint (+ 3) may still be writing.
  const second = ownerIds(OWNER_ID_BLOCK + 2);
  assert.equal(second.next(), 2 * OWNER_ID_BLOCK + 1);
  assert.notEqual(first.next(), 2 * OWNER_ID_BLOCK + 1);
  // A latest at a block's end still moves on to the next block.
  assert.equal(ownerIds(2 * OWNER_ID_BLOCK).next(), 3 * OWNER_ID_BLOCK + 1);
});
