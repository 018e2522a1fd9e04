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
