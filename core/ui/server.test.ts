import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineUiPage } from '../api/index.ts';
import { readPageData } from './contributed-pages.ts';
import { FolderFeed } from './run-folder.ts';
import { UiServer } from './server.ts';
import type { SnapshotFeed } from './server.ts';
import type { UiSnapshot } from './types.ts';

const snapshot = (over: Partial<UiSnapshot> = {}): UiSnapshot => ({
  format: 'sluice.ui/v1', job: 'j', runId: 'r', status: 'running', startedAt: 0, updatedAt: 1_000, seq: 1, nodes: [], edges: [],
  stages: {}, queues: {}, checkpoints: [], declinedCheckpoints: 0, restarts: [], samples: { late: [], deadLetter: [] }, pages: [], ...over,
});
/** A page as a plugin package contributes it: its shell at /report, its data file report.json. */
const reportPage = defineUiPage({ name: 'report', title: 'A report', link: 'the report', entry: new URL('./web/job-page.ts', import.meta.url).href, dataFile: 'report.json' });
const fixed = (s: UiSnapshot): SnapshotFeed => ({ current: () => s, onSnapshot: () => () => undefined });

void test('the UI server answers GET only, and a non-loopback bind needs a token that every request then carries', async () => {
  await assert.rejects(UiServer.start({ host: '0.0.0.0', port: 0, feed: fixed(snapshot()) }), /not loopback: set a token/);
  const open = await UiServer.start({ host: '127.0.0.1', port: 0, feed: fixed(snapshot()) });
  try {
    const base = `http://127.0.0.1:${open.port}`;
    assert.equal((await fetch(`${base}/api/snapshot`)).status, 200);
    assert.equal(((await (await fetch(`${base}/api/snapshot`)).json()) as UiSnapshot).runId, 'r');
    for (const method of ['POST', 'PUT', 'DELETE']) assert.equal((await fetch(`${base}/`, { method })).status, 405);
    assert.equal((await fetch(`${base}/api/report`)).status, 404, 'no page given');
    assert.equal((await fetch(`${base}/report`)).status, 404, 'no page given');
    assert.match((await fetch(`${base}/`)).headers.get('content-security-policy') ?? '', /default-src 'self'/);
  } finally {
    await open.close();
  }
  const guarded = await UiServer.start({ host: '0.0.0.0', port: 0, token: 't0k', feed: fixed(snapshot()) });
  try {
    const base = `http://127.0.0.1:${guarded.port}`;
    assert.equal((await fetch(`${base}/api/snapshot`)).status, 401);
    assert.equal((await fetch(`${base}/api/snapshot?token=t0x`)).status, 401);
    assert.equal((await fetch(`${base}/api/snapshot?token=t0k`)).status, 200);
    assert.equal((await fetch(`${base}/api/snapshot`, { headers: { authorization: 'Bearer t0k' } })).status, 200);
    assert.match(await (await fetch(`${base}/?token=t0k`)).text(), /\/assets\/job\.js\?token=t0k/, 'the page passes the token on');
    assert.match(guarded.url(), /^http:\/\/0\.0\.0\.0:\d+\/\?token=t0k$/);
  } finally {
    await guarded.close();
  }
});

void test('a page a plugin package contributes is served with its data from the run folder, 404 without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ui-page-'));
  const server = await UiServer.start({ host: '127.0.0.1', port: 0, feed: fixed(snapshot()), pages: [{ page: reportPage, data: () => readPageData(dir, reportPage) }] });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const html = await (await fetch(`${base}/report`)).text();
    assert.match(html, /<title>A report<\/title>/);
    assert.match(html, /data-page="report"/);
    assert.match(html, /\/assets\/report\.css/);
    assert.equal((await fetch(`${base}/api/report`)).status, 404, 'no data file yet');
    writeFileSync(join(dir, 'report.json'), '{"n":1}');
    assert.deepEqual(await (await fetch(`${base}/api/report`)).json(), { n: 1 });
    assert.equal((await fetch(`${base}/api/other`)).status, 404);
  } finally {
    await server.close();
  }
});

void test('a run folder whose last snapshot says running but is old shows as crashed; an ended one as it ended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ui-folder-'));
  writeFileSync(join(dir, 'ui.json'), JSON.stringify(snapshot({ updatedAt: 1_000 })));
  const crashed = await FolderFeed.open(dir, 60_000, () => 60_000);
  assert.equal(crashed.current()!.status, 'crashed');
  crashed.close();
  const live = await FolderFeed.open(dir, 60_000, () => 5_000);
  assert.equal(live.current()!.status, 'running', 'recent: still running elsewhere');
  live.close();
  writeFileSync(join(dir, 'ui.json'), JSON.stringify(snapshot({ status: 'stopped', updatedAt: 1_000 })));
  const ended = await FolderFeed.open(dir, 60_000, () => 1e12, [reportPage]);
  assert.equal(ended.current()!.status, 'stopped');
  assert.deepEqual(ended.current()!.pages, [], 'no data file, no page');
  ended.close();
  writeFileSync(join(dir, 'report.json'), '{}');
  const withPage = await FolderFeed.open(dir, 60_000, () => 1e12, [reportPage]);
  assert.deepEqual(withPage.current()!.pages, [{ name: 'report', link: 'the report' }]);
  withPage.close();
});

void test('with OTLP tracing, each stage links to its spans in Jaeger by the span names the runtime gives them', async () => {
  const { jaegerLinks } = await import('./run-ui.ts');
  const pipeline = { name: 'exp job', sources: [{ id: 'traffic' }], operators: [{ id: 'counts' }], sinks: [{ id: 'store' }] } as never;
  assert.deepEqual(jaegerLinks(pipeline, 'http://127.0.0.1:16686/'), {
    traffic: 'http://127.0.0.1:16686/search?service=exp%20job&operation=source%20traffic%20poll',
    counts: 'http://127.0.0.1:16686/search?service=exp%20job&operation=operator%20counts',
    store: 'http://127.0.0.1:16686/search?service=exp%20job&operation=sink%20store%20write',
  });
});
