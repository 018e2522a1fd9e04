/**
 * Admission and operator failures: payloads decoded by the block's codec, event times
 * from a field (epoch ms or ISO-8601) or the chunk, `_meta`, provenance; a keyed operator
 * over a prefetching backend gets its keys loaded first; an operator throwing out of
 * `processBatch` fails the job with a located E_PLUGIN_FAILED.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, definePlugin, field } from '../../core/api/index.ts';
import type { StateBackend } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { Admission } from '../../core/runtime/engine/admit.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { MemoryStateBackend } from '../../core/runtime/state/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

void test('payloads are decoded, event times read (epoch ms, ISO-8601), provenance and _meta attached', () => {
  const a = new Admission({ sourceId: 'src', codec: getCodec('json'), timeField: 'at' });
  const out = new BatchBuilder();
  const dead = new BatchBuilder();
  const n = a.admit(
    {
      partition: 3,
      output: 'clicks',
      payloads: ['{"at": 5}', new TextEncoder().encode('{"at": "2024-01-01T00:00:01Z"}'), '[1]', '{"at": null}'],
      offsets: [10, 11, 12, 13],
      meta: [{ key: 'k1' }, undefined, undefined, undefined],
    },
    out,
    dead,
    99,
  );
  assert.equal(n, 2);
  assert.deepEqual(out.values, [{ at: 5, _meta: { key: 'k1' } }, { at: '2024-01-01T00:00:01Z' }]);
  assert.deepEqual(out.times, [5, Date.UTC(2024, 0, 1, 0, 0, 1)]);
  assert.deepEqual(out.provenance, [
    { source: 'src', output: 'clicks', partition: 3, offset: 10 },
    { source: 'src', output: 'clicks', partition: 3, offset: 11 },
  ]);
  assert.deepEqual(dead.values.map((v) => [v.reason, v.record]), [['not_an_object', '[1]'], ['bad_event_time', { at: null }]]);
});

void test('without a time field, the chunk times (else processing time) are the event times; provenance is shared', () => {
  const a = new Admission({ sourceId: 's', codec: getCodec('raw'), timeField: undefined });
  const out = new BatchBuilder();
  a.admit({ partition: 'p', payloads: ['a', 'b'], times: [7, 8] }, out, new BatchBuilder(), 0);
  a.admit({ partition: 'p', payloads: ['c'] }, out, new BatchBuilder(), 42);
  assert.deepEqual(out.values, [{ message: 'a' }, { message: 'b' }, { message: 'c' }]);
  assert.deepEqual(out.times, [7, 8, 42]);
  assert.equal(out.provenance![0], out.provenance![1], 'one provenance object per chunk without offsets or lines');
});

class PrefetchingBackend extends MemoryStateBackend implements StateBackend {
  readonly prefetched: string[][] = [];
  prefetch(operatorId: string, keys: readonly string[]): Promise<void> {
    this.prefetched.push([operatorId, ...keys]);
    return new Promise((r) => setTimeout(r, 1));
  }
}

const PIPELINE = `
name: keyed
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  per_key:
    input: s
    tumble_count: { key: k, size: 10ms }
sinks:
  out:
    input: per_key
    collect: { name: out }
dead_letter: { collect: { name: dead } }
`;

void test('a keyed operator over a prefetching backend has its batch keys prefetched first', async () => {
  scripts.set('s', { steps: [[{ partition: 0, values: [{ k: 'a', ts: 1 }, { k: 'b', ts: 2 }, { ts: 3 }] }]] });
  const backend = new PrefetchingBackend();
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { stateBackend: backend, checkpoint: { store: null } });
  assert.equal(r.status, 'finished');
  assert.deepEqual(backend.prefetched, [['per_key', 'a', 'b']]);
  assert.equal(collection('out').rows.length, 2);
  assert.deepEqual(collection('dead').rows.map((x) => x.value.reason), ['missing_key']);
});

const thrower = definePlugin({
  kind: 'operator',
  name: 'thrower',
  summary: 'Test operator: throws out of processBatch.',
  spec: field.object({}),
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (_c, [input]) => ({ output: input! }),
  create: () => ({
    processBatch() {
      throw new TypeError('cannot read x of undefined');
    },
  }),
});

void test('an operator failing as a whole fails the job with E_PLUGIN_FAILED, its id, plugin and file:line', async () => {
  scripts.set('s', { steps: [[{ partition: 0, values: [{ ts: 1 }] }]] });
  const p = compileYaml(
    `
name: broken
sources:
  s:
    scripted: { script: s }
operators:
  boom:
    input: s
    thrower: {}
sinks:
  out:
    input: boom
    collect: { name: out }
`,
    [thrower],
  );
  const r = await runJob(p, { checkpoint: { store: null }, restart: { maxAttempts: 0 } });
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 1);
  assert.equal(r.error!.code, 'E_PLUGIN_FAILED');
  assert.equal(r.error!.message, "operator 'boom' (plugin thrower) failed in processBatch (test.yaml:7:3, operators.boom): cannot read x of undefined");
});
