// lint: a window_aggregate key field named like a field the window writes is located at that key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sluice } from './sluice.ts';

void test('lint fails a window key field named window_start, at the key', async () => {
  const r = await sluice(['lint', 'test/cli/fixtures/window-key-collision.yaml']);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /window-key-collision\.yaml:11:19 {2}operators\.per_minute\.window_aggregate\.key\[1\] {2}key field 'window_start' collides with the 'window_start' the window writes to its output; rename it upstream \(e\.g\. with map\) \[E_CONFIG_INVALID\]/,
  );
});
