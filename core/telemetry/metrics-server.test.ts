import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTelemetry } from './telemetry.ts';

void test('/metrics serves the meter in the Prometheus text format; /ready follows setReady; other paths 404', async () => {
  const telemetry = createTelemetry({ serviceName: 'ms' });
  try {
    const server = await telemetry.serveMetrics('127.0.0.1', 0);
    const base = `http://127.0.0.1:${server.port}`;
    telemetry.meter.createCounter('sluice_unit_things', { description: 'Things.' }).add(3, { operator: 'a' });
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^# HELP sluice_unit_things_total Things\.$/m);
    assert.match(text, /^# TYPE sluice_unit_things_total counter$/m);
    assert.match(text, /^sluice_unit_things_total\{operator="a",[^}]*\} 3$/m);
    assert.equal((await fetch(`${base}/ready`)).status, 503);
    server.setReady(true);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    server.setReady(false);
    assert.equal((await fetch(`${base}/ready`)).status, 503);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    await assert.rejects(telemetry.serveMetrics('127.0.0.1', 0), /already served/);
  } finally {
    await telemetry.shutdown();
  }
  assert.equal(telemetry.metricsServer?.port, undefined, 'closed by shutdown');
});

void test('POST /savepoints runs the handler of the running attempt: 200 with its id, 500 when declined, 503 without one', async () => {
  const telemetry = createTelemetry({ serviceName: 'ms' });
  try {
    const server = await telemetry.serveMetrics('127.0.0.1', 0);
    const url = `http://127.0.0.1:${server.port}/savepoints`;
    const none = await fetch(url, { method: 'POST' });
    assert.equal(none.status, 503);
    assert.equal(((await none.json()) as { code: string }).code, 'E_SAVEPOINT');
    server.setSavepointHandler(() => Promise.resolve({ id: 'sp-1', checkpoint: 7, store: 'memory' }));
    const ok = await fetch(url, { method: 'POST' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { savepoint: 'sp-1', checkpoint: 7, store: 'memory' });
    assert.equal((await fetch(url)).status, 405, 'GET takes nothing');
    server.setSavepointHandler(() => Promise.reject(Object.assign(new Error('declined'), { code: 'E_SAVEPOINT' })));
    const declined = await fetch(url, { method: 'POST' });
    assert.equal(declined.status, 500);
    assert.deepEqual(await declined.json(), { error: 'declined', code: 'E_SAVEPOINT' });
  } finally {
    await telemetry.shutdown();
  }
});
