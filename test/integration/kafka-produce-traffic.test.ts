/**
 * `pipelines/produce_traffic.yaml` through the CLI (`sluice run`) against the real broker:
 * the three topics hold every generated record once, keyed by user or experiment, and the
 * malformed payloads the generator emits arrive as their raw bytes (not dead-lettered).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { cleanup, readAll, unique } from './kafka-helpers.ts';

const run = promisify(execFile);
const topics: string[] = [];
after(() => cleanup(...topics));

const EVENTS = 4000;
const MALFORMED_SHARE = 0.02;

/** What the generator emits with the pipeline's settings: records and malformed ones per output. */
function expected(): Record<string, { total: number; malformed: number }> {
  const g = new TrafficGenerator(trafficConfig({ seed: 1, events: EVENTS, partitions: 3, malformed_share: MALFORMED_SHARE }));
  const out: Record<string, { total: number; malformed: number }> = {};
  while (!g.done) {
    const d = g.next(1000);
    for (let i = 0; i < d.length; i++) {
      const o = (out[d.outputs[i]!] ??= { total: 0, malformed: 0 });
      o.total++;
      if (d.payloads[i] !== undefined) o.malformed++;
    }
  }
  return out;
}

const isJsonObject = (text: string) => {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

void test('produce_traffic fills activations, actions and metadata; malformed payloads arrive as raw bytes', async () => {
  const names = { activations: unique('activations'), actions: unique('actions'), metadata: unique('metadata'), dead: unique('traffic-dl') };
  topics.push(...Object.values(names));
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-produce-traffic-'));
  const { stdout, stderr } = await run(process.execPath, ['bin/sluice.mjs', 'run', 'pipelines/produce_traffic.yaml', '--set', `job.state_dir=${stateDir}`], {
    env: {
      ...process.env, EVENTS: String(EVENTS), MALFORMED_SHARE: String(MALFORMED_SHARE), TOPIC_PARTITIONS: '3', TRAFFIC_SEED: '1',
      ACTIVATIONS_TOPIC: names.activations, ACTIONS_TOPIC: names.actions, METADATA_TOPIC: names.metadata, DEAD_LETTER_TOPIC: names.dead,
    },
  });
  assert.match(stdout + stderr, new RegExp(`finished: ${EVENTS} records in`));
  const want = expected();
  assert.ok(want.activations!.malformed > 0 && want.actions!.malformed > 0, 'the generator emitted malformed payloads');
  for (const output of ['activations', 'actions', 'metadata'] as const) {
    const messages = await readAll(names[output]);
    assert.equal(messages.length, want[output]!.total, `${output}: every record once`);
    const bad = messages.filter((m) => !isJsonObject(m.value));
    assert.equal(bad.length, want[output]!.malformed, `${output}: malformed payloads as raw bytes`);
    for (const m of bad) assert.equal(m.key, null);
    for (const m of messages.filter((x) => isJsonObject(x.value))) {
      const row = JSON.parse(m.value) as Record<string, unknown>;
      assert.equal(m.key, output === 'metadata' ? row.experiment_id : row.user_id);
      assert.equal(row.message, undefined);
    }
  }
  assert.equal((await readAll(names.dead)).length, 0, 'nothing was dead-lettered');
});
