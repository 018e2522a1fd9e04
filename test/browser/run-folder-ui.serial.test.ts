// `sluice ui <run folder>` in headless Chromium against a finished flagship run: the job
// page shows the run's last snapshot (its counts agree with summary.json), and the
// experiment dashboard's numbers equal the SQLite result tables, read here independently.
// A non-loopback bind needs a token, and then every request must carry it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { launchChromium } from './chromium.ts';
import { ARTIFACTS, FLAGSHIP, runSluice, spawnSluice } from './ui-fixtures.ts';

const runs = mkdtempSync(join(tmpdir(), 'sluice-ui-run-'));
const folder = join(runs, 'experiment_analytics', 'done');
const sig = (v: unknown): string => (v === null || v === undefined || v === 'null' || v === '' ? 'null' : Number(Number(v).toPrecision(4)).toString());

async function serve(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const { child, match } = await spawnSluice(['ui', folder, ...args], {}, /web UI on (http:\/\/\S+) \(Ctrl-C/);
  return { url: match[1]!, stop: async () => void (child.kill('SIGINT'), await new Promise((r) => child.once('exit', r))) };
}

void test('a finished run: the experiment dashboard equals the result tables, the job page the run summary', async () => {
  const ran = await runSluice(['run', FLAGSHIP, '--profile', 'embedded', '--events', '300000', '--ui', '0', '--set', 'log.level=warn'], { RUNS_DIR: runs, RUN_ID: 'done' });
  assert.equal(ran.code, 0, ran.stderr);
  const { url, stop } = await serve(['--port', '0']);
  const browser = await launchChromium();
  const db = new Database(join(folder, 'results.sqlite'), { readonly: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url.replace(/\/(\?|$)/, '/experiments$1'));
    const section = await page.waitForSelector('section[data-experiment]');
    const experiment = (await section.getAttribute('data-experiment'))!;
    const epoch = Number(await section.getAttribute('data-epoch'));
    const key = (segment: string, action: string, last: string) => `${experiment}|${String(epoch).padStart(13, '0')}|${segment}|${action}|${last}`;
    const counts = db.prepare('SELECT triggered FROM experiment_counts WHERE row_key = ?');
    const stats = db.prepare('SELECT lift, lift_lo, lift_hi, delta, srm_p FROM experiment_stats WHERE row_key = ?');
    // Triggered users per segment and group, and each segment's SRM p-value.
    const rows = await page.$$eval('#split tr[data-segment]', (trs) => trs.map((tr) => ({
      segment: tr.getAttribute('data-segment')!, group: tr.getAttribute('data-group')!,
      triggered: tr.querySelector('[data-field="triggered"]')!.textContent!, srm: tr.querySelector('[data-field="srm-p"]')!.getAttribute('data-value')!,
    })));
    assert.ok(rows.length >= 2);
    for (const r of rows) {
      const stored = counts.get(key(r.segment, '_', r.group)) as { triggered: string } | undefined;
      assert.equal(Number(r.triggered.replace(/,/g, '')), Number(stored?.triggered ?? 0), `triggered ${r.segment} ${r.group}`);
      const srm = stats.get(key(r.segment, '_', 'srm|_')) as { srm_p: string } | undefined;
      assert.equal(sig(r.srm), sig(srm?.srm_p), `SRM p of segment ${r.segment}`);
    }
    // The latest look of each test equals the stats row of its last segment.
    const lastSegment = rows.map((r) => r.segment).sort().pop()!;
    const charts = await page.$$eval('[data-test]', (boxes) => boxes.map((b) => {
      const p = b.querySelector('[data-field="latest"]')!;
      return { test: b.getAttribute('data-test')!, lift: p.getAttribute('data-lift'), lo: p.getAttribute('data-lift-lo'), hi: p.getAttribute('data-lift-hi'), delta: p.getAttribute('data-delta'), canvases: b.querySelectorAll('canvas').length };
    }));
    assert.ok(charts.length >= 6, 'a chart box per action and treatment');
    for (const c of charts) {
      const [action, metric, treatment] = c.test.split('|');
      const row = stats.get(key(lastSegment, action!, `${metric}|${treatment}`)) as { lift: string; lift_lo: string; lift_hi: string; delta: string } | undefined;
      assert.ok(row, `stats row of ${c.test}`);
      assert.deepEqual([sig(c.lift), sig(c.lo), sig(c.hi), sig(c.delta)], [sig(row.lift), sig(row.lift_lo), sig(row.lift_hi), sig(row.delta)], c.test);
      assert.equal(c.canvases, 2, 'difference and lift plotted');
    }
    // The screenshot shows the epoch with the most segments (re-ramps as markers).
    type Epoch = { experiment: string; epochStart: number; segments: { series: { points: unknown[] }[] }[] };
    const dashboard = JSON.parse(readFileSync(join(folder, 'dashboard.json'), 'utf8')) as { epochs: Epoch[] };
    const charted = (e: Epoch) => e.segments.filter((s) => s.series.some((x) => x.points.length > 0)).length;
    const looks = (e: Epoch) => e.segments.reduce((n, x) => n + x.series.reduce((m, y) => Math.max(m, y.points.length), 0), 0);
    const most = dashboard.epochs.reduce((a, b) => (charted(b) > charted(a) || (charted(b) === charted(a) && looks(b) > looks(a)) ? b : a));
    await page.goto(url.replace(/\/(\?|$)/, '/experiments$1') + `#${encodeURIComponent(`${most.experiment}@${most.epochStart}`)}`);
    await page.waitForSelector(`section[data-experiment="${most.experiment}"][data-epoch="${most.epochStart}"]`);
    await page.screenshot({ path: join(ARTIFACTS, 'experiment.png'), fullPage: true });

    // The job page of the finished run: the archive sinks wrote what the summary says was admitted.
    await page.goto(url);
    await page.waitForSelector('#stages td[data-stage="archive_actions"]');
    assert.equal(await page.textContent('[data-field="status"]'), 'stopped');
    const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as { sources: Record<string, { admitted: number }> };
    for (const role of ['activations', 'actions', 'metadata']) {
      const shown = await page.textContent(`#stages td[data-stage="archive_${role}"][data-field="recordsOut"]`);
      assert.equal(Number(shown!.replace(/,/g, '')), summary.sources[role]!.admitted, role);
    }
    assert.ok(await page.isVisible('a[href="/experiments"]'), 'the job page links the dashboard');
    assert.deepEqual(errors, []);
  } finally {
    db.close();
    await browser.close();
    await stop();
  }
});

void test('sluice ui refuses a non-loopback bind without a token; with one, every request must carry it', async () => {
  const refused = await runSluice(['ui', folder, '--host', '0.0.0.0', '--port', '0'], { SLUICE_UI_TOKEN: '' });
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /not loopback: set a token/);
  const { url, stop } = await serve(['--host', '0.0.0.0', '--port', '0', '--token', 's3cret-token']);
  const browser = await launchChromium();
  try {
    const port = new URL(url).port;
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/', '/api/snapshot', '/api/events', '/api/experiments', '/assets/job.js']) assert.equal((await fetch(`${base}${path}`)).status, 401, path);
    assert.equal((await fetch(`${base}/api/snapshot?token=wrong`)).status, 401);
    assert.equal((await fetch(`${base}/api/snapshot`, { headers: { authorization: 'Bearer s3cret-token' } })).status, 200);
    assert.equal((await fetch(`${base}/api/snapshot?token=s3cret-token`, { method: 'POST' })).status, 405);
    const page = await browser.newPage();
    await page.goto(`${base}/?token=s3cret-token`);
    await page.waitForSelector('#stages td[data-stage="traffic"]');
    assert.equal(await page.getAttribute('a[href^="/experiments"]', 'href'), '/experiments?token=s3cret-token');
  } finally {
    await browser.close();
    await stop();
  }
});
