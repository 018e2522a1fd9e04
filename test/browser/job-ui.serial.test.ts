// The job page in headless Chromium against a running flagship job: snapshots arrive live
// while it runs, and once it ended every stage's counters on the page equal what the job's
// own `/metrics` endpoint and its result say. Then `sluice run --ui` itself: read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { ARTIFACTS, FLAGSHIP, perOperator, spawnSluice, startFlagshipWithUi } from './ui-fixtures.ts';

const FIELDS = { recordsIn: 'sluice_records_in_total', recordsOut: 'sluice_records_out_total', late: 'sluice_records_late_total', deadLettered: 'sluice_records_dead_lettered_total' } as const;

/** Every `[data-stage][data-field]` cell of the stages table, as numbers. */
async function pageCounts(page: Page, field: string): Promise<Map<string, number>> {
  const cells = await page.$$eval(`#stages td[data-field="${field}"]`, (tds) => tds.map((td) => [td.getAttribute('data-stage')!, td.textContent!] as const));
  return new Map(cells.map(([id, text]) => [id, Number(text.replace(/,/g, ''))]));
}

void test('the job page updates live while the job runs and then shows exactly what /metrics and the job result say', async () => {
  const live = await startFlagshipWithUi(150_000);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(live.ui.server.url('/'));
    await page.waitForSelector('#stages td[data-stage="traffic"]');
    const firstSeq = Number(await page.getAttribute('body', 'data-seq'));
    const firstOut = (await pageCounts(page, 'recordsOut')).get('traffic')!;
    // Live: later snapshots arrive over the event stream while the job reads.
    await page.waitForFunction((seq) => Number(document.body.dataset.seq) >= seq + 3, firstSeq, { timeout: 60_000 });
    const laterOut = (await pageCounts(page, 'recordsOut')).get('traffic')!;
    const status = await page.textContent('[data-field="status"]');
    const result = await live.job.result;
    assert.ok(laterOut > firstOut || status !== 'running', `records out of the source grew while running (${firstOut} → ${laterOut})`);
    await live.ui.observer.finish(result.status);
    await page.waitForFunction((s) => document.querySelector('[data-field="status"]')?.textContent === s, result.status);
    assert.equal(result.status, 'stopped');

    const metrics = await (await fetch(`http://127.0.0.1:${live.metrics.port}/metrics`)).text();
    for (const [field, name] of Object.entries(FIELDS)) {
      const shown = await pageCounts(page, field);
      const scraped = perOperator(metrics, name);
      assert.ok(shown.size >= 20, `a ${field} cell per stage`);
      for (const [id, value] of shown) assert.equal(value, scraped.get(id) ?? 0, `${field} of ${id}: page ${value}, /metrics ${scraped.get(id)}`);
    }
    // The same numbers the job's result reports per stage.
    const shownIn = await pageCounts(page, 'recordsIn');
    const shownOut = await pageCounts(page, 'recordsOut');
    for (const id of ['activations_unique', 'user_counts', 'counts', 'stats']) {
      assert.equal(shownIn.get(id), result.stages[id]!.in, `${id} in`);
      assert.equal(shownOut.get(id), result.stages[id]!.out, `${id} out`);
    }
    const shownDead = await pageCounts(page, 'deadLettered');
    assert.equal(result.recordsIn, 150_000);
    assert.equal(shownOut.get('traffic')! + shownDead.get('traffic')!, result.recordsIn, 'the source admitted what it read, less what it could not decode');
    // Checkpoints: one row per completed checkpoint, as counted by the job.
    const rows = await page.$$('#checkpoints tr[data-checkpoint]');
    assert.equal(rows.length, result.checkpoints.completed);
    assert.equal(perOperator(metrics.replace(/outcome="completed"/g, 'operator="completed"'), 'sluice_checkpoints_total').get('completed'), result.checkpoints.completed);
    // The graph: one laid-out node per stage.
    assert.equal(await page.locator('svg g.node').count(), shownIn.size);
    await page.screenshot({ path: join(ARTIFACTS, 'job.png'), fullPage: true });
    assert.deepEqual(errors, []);
    // What the page showed last is in the run folder for `sluice ui`.
    const recorded = JSON.parse(readFileSync(join(live.folder, 'ui.json'), 'utf8')) as { status: string; stages: Record<string, { recordsIn: number }> };
    assert.equal(recorded.status, 'stopped');
    assert.equal(recorded.stages.user_counts!.recordsIn, shownIn.get('user_counts'));
  } finally {
    await browser.close();
    await live.ui.server.close();
    await live.metrics.close();
  }
});

void test('sluice run --ui serves read-only on loopback: GET pages and events, every write refused', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'sluice-ui-cli-'));
  const { child, match } = await spawnSluice(['run', FLAGSHIP, '--profile', 'embedded', '--events', '400000', '--ui', '0', '--set', 'log.level=warn'], { RUNS_DIR: runs, RUN_ID: 'cli' }, /web UI: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
  try {
    const base = match[1]!;
    assert.equal((await fetch(base)).status, 200);
    assert.match(await (await fetch(`${base}assets/job.js`)).text(), /EventSource/);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['', 'api/snapshot', 'api/events', 'savepoints']) {
        const res = await fetch(`${base}${path}`, { method, body: method === 'DELETE' ? undefined : '{}' });
        assert.equal(res.status, 405, `${method} /${path}`);
      }
    }
    const events = await fetch(`${base}api/events`);
    assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = events.body!.getReader();
    let text = '';
    while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /^event: snapshot\nid: \d+\ndata: \{"format":"sluice\.ui\/v1"/);
    await reader.cancel();
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
  const recorded = JSON.parse(readFileSync(join(runs, 'experiment_analytics', 'cli', 'ui.json'), 'utf8')) as { status: string };
  assert.equal(recorded.status, 'stopped', 'Ctrl-C: the last snapshot says the run stopped');
});
