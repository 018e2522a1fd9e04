/**
 * Issue 12: "every stall in the engine either resolves or fails the job …, and `/ready`
 * reports it". While an operator has only inputs it blocks holding records and the engine
 * feeds them past its bound (operator-task.ts), `/ready` answers 503 naming the operator and
 * where it is declared; once the operator takes input normally again it is 200 again.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field } from '../../core/api/index.ts';
import { startJob } from '../../core/runtime/engine/index.ts';
import { createTelemetry } from '../../core/telemetry/index.ts';
import { collectSink, compileYaml, resetFixtures, scripts } from '../engine/fixtures.ts';

/** Passes records on; blocks its first input while `gate.closed`. */
const gate = { closed: true };
const gateOperator = definePlugin({
  kind: 'operator',
  name: 'gate',
  summary: 'Test operator: blocks input 0 while closed.',
  spec: field.object({}),
  inputs: { min: 2, max: 2 },
  keyed: false,
  plan: (_c, inputs) => ({ output: inputs[0]! }),
  create() {
    return {
      processBatch(batch, _input, ctx) {
        for (let i = 0; i < batch.length; i++) ctx.emit(batch.values[i]!, batch.times[i]!, 'insert');
      },
      blockedInputs: () => (gate.closed ? [0] : []),
    };
  },
});

const PIPELINE = `
name: stall
sources:
  a: { scripted: { script: a }, event_time: { field: ts } }
  b: { scripted: { script: b }, event_time: { field: ts } }
operators:
  g:
    input: [a, b]
    gate: {}
sinks:
  out: { input: g, collect: { name: out } }
`;

afterEach(resetFixtures);

async function readyOf(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/ready`);
  return { status: res.status, body: await res.text() };
}

async function until(what: string, port: number, ok: (r: { status: number; body: string }) => boolean): Promise<{ status: number; body: string }> {
  let last = await readyOf(port);
  for (let i = 0; i < 300 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 10));
    last = await readyOf(port);
  }
  assert.ok(ok(last), `${what}; last /ready: ${last.status} ${last.body}`);
  return last;
}

void test('/ready is 503 naming the operator while it is fed past its bound, 200 once it takes input normally', async () => {
  gate.closed = true;
  const steps = Array.from({ length: 2000 }, (_, i) => [{ partition: 0, values: [{ ts: i + 1 }] }]);
  scripts.set('a', { steps, after: 'empty' });
  scripts.set('b', { steps: [], after: 'empty' });
  const telemetry = createTelemetry({ serviceName: 'ready_stall' });
  const server = await telemetry.serveMetrics('127.0.0.1', 0);
  const port = server.port!;
  const job = startJob(compileYaml(PIPELINE, [gateOperator]), { telemetry, checkpoint: { store: null } });
  try {
    const stalled = await until('/ready reports the stall', port, (r) => r.status === 503 && r.body.includes('stalled'));
    assert.match(stalled.body, /^not ready\nstalled: operator 'g' \(gate, test\.yaml:\d+:\d+.*\): only inputs it blocks have records waiting/);
    gate.closed = false;
    const resolved = await until('/ready is 200 once the stall resolves', port, (r) => r.status === 200);
    assert.equal(resolved.body, 'ready\n');
  } finally {
    job.cancel('test over');
    await job.result;
    await telemetry.shutdown();
  }
});
