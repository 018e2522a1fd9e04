import { test } from 'node:test';
import assert from 'node:assert/strict';
import { state } from '../../api/index.ts';
import type { PluginDefinition } from '../../api/index.ts';
import { compilePipeline } from '../graph/compile.ts';
import { lookupOf, TEST_PLUGINS, windowOp } from '../graph/test-plugins.ts';
import { pipelineShape } from './pipeline-shape.ts';

// The test window operator declares no state; give it some, as the real one has.
const stateful = { ...windowOp, state: () => ({ acc: state.value(), panes: state.map() }) } as unknown as PluginDefinition;
const plugins = lookupOf([...TEST_PLUGINS.filter((p) => p.name !== 'window_aggregate'), stateful]);

function shapeOf(text: string) {
  const r = compilePipeline({ file: 'p.yaml', text, env: {}, plugins });
  assert.ok(r.pipeline, r.issues.map((i) => i.message).join('\n'));
  return pipelineShape(r.pipeline);
}

const yaml = (window: string, extra = '') => `
name: shape
sources:
  events:
    file: { path: in.jsonl, fields: { ts: timestamp, page: string } }
    event_time: { field: ts, max_out_of_orderness: 5s }
operators:
  per_page:
    input: events
    window_aggregate: ${window}
sinks:
  out:
    input: per_page
    file: { path: out.jsonl }${extra}
`;

void test('the shape lists stateful operators by id with their type and state kinds', () => {
  const s = shapeOf(yaml('{ key: page, window: { tumbling: 1m }, aggregates: { n: count } }'));
  assert.deepEqual(s.operators, { per_page: { type: 'window_aggregate', state: { acc: 'value', panes: 'map' } } });
  assert.match(s.hash, /^[0-9a-f]{64}$/);
});

void test('the hash ignores layout, key order and spelling of equal values; it changes with any config', () => {
  const a = shapeOf(yaml('{ key: page, window: { tumbling: 1m }, aggregates: { n: count } }'));
  const reordered = shapeOf(`\n\n${yaml('{ aggregates: { n: count }, window: { tumbling: 60s }, key: page }')}`);
  assert.equal(reordered.hash, a.hash, 'same definition: 1m = 60s, keys reordered, lines moved');
  const other = shapeOf(yaml('{ key: page, window: { tumbling: 2m }, aggregates: { n: count } }'));
  assert.notEqual(other.hash, a.hash);
  assert.deepEqual(other.operators, a.operators, 'the state shape does not depend on the window size');
});
