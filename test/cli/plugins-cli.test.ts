// `sluice plugins list`: the table, and no noise on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sluice } from './sluice.ts';

void test('plugins list prints the table and nothing on stderr', async () => {
  for (const args of [['plugins', 'list'], ['plugins', 'list', '--json']]) {
    const r = await sluice(args);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 0);
    assert.equal(r.stderr, '', args.join(' '));
  }
});
