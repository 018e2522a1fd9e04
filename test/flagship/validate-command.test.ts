/** `sluice validate`: exit 0 on a run that checks out, 1 on a mismatch, 2 when there is no run; newest run by default. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../core/cli/main.ts';
import type { CliIo } from '../../core/cli/io.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { writeReferenceRun } from './reference-run.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-validate-cli-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function capture(): CliIo & { text: () => string } {
  const chunks: string[] = [];
  return { out: (t) => void chunks.push(t), err: (t) => void chunks.push(t), cwd: root, env: {}, text: () => chunks.join('') };
}

void test('sluice validate checks the newest run under --runs-dir, a named one, and fails on a mismatch', async () => {
  const runs = join(root, 'runs');
  const dir = join(runs, 'job', 'r1');
  await writeReferenceRun(trafficConfig({ seed: 5, events: 8000, event_interval: '20s', users: 1000 }), dir);
  const ok = capture();
  assert.equal(await main(['validate', '--runs-dir', runs, '--threads', '1'], ok), 0, ok.text());
  assert.match(ok.text(), /OK: 0 mismatches, \d+ rows compared/);

  const db = new Database(join(dir, 'results.sqlite'));
  db.prepare("UPDATE experiment_counts SET triggered = CAST(triggered + 1 AS TEXT) WHERE row_key = (SELECT min(row_key) FROM experiment_counts WHERE triggered IS NOT NULL AND triggered != '')").run();
  db.close();
  const bad = capture();
  assert.equal(await main(['validate', dir, '--max-late-share', '0.5'], bad), 1);
  assert.match(bad.text(), /MISMATCH counts .*triggered expected \d+, stream \d+/);

  const none = capture();
  assert.equal(await main(['validate', '--runs-dir', join(root, 'empty')], none), 2);
  assert.match(none.text(), /no finished run/);
});
