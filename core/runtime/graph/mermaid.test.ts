import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePipeline } from './compile.ts';
import { toMermaid } from './mermaid.ts';
import { lookupOf } from './test-plugins.ts';

void test('a flowchart of sources, operators, sinks and the late and dead-letter outputs', () => {
  const text = `name: g
sources:
  traffic:
    generator: { outputs: { actions: { action: string }, views: {} } }
operators:
  split: { input: traffic.actions, route: { routes: { clicks: 'action == "click"' } } }
  keyed: { input: split.clicks, key_by: { key: [action] } }
  counts: { input: keyed, window_aggregate: { window: { tumbling: 1m }, aggregates: { n: count } } }
sinks:
  out: { input: counts, stdout: {} }
  views: { input: traffic.views, stdout: {} }
late: { file: { path: late.jsonl } }
dead_letter: { file: { path: "dead \\"letters\\".jsonl" } }
`;
  const r = compilePipeline({ file: 'g.yaml', text, env: {}, plugins: lookupOf() });
  assert.deepEqual(r.issues, []);
  assert.equal(
    toMermaid(r.pipeline!),
    `flowchart LR
  n_traffic[/"traffic<br/><i>generator</i>"/]
  n_split["split<br/><i>route</i>"]
  n_keyed["keyed<br/><i>key_by</i>"]
  n_counts["counts<br/><i>window_aggregate</i>"]
  n_out[\\"out<br/><i>stdout</i>"\\]
  n_views[\\"views<br/><i>stdout</i>"\\]
  out_late{{"late<br/><i>file</i>"}}
  out_dead_letter{{"dead letter<br/><i>file</i>"}}
  n_traffic -->|actions| n_split
  n_split -->|clicks| n_keyed
  n_keyed --> n_counts
  n_counts --> n_out
  n_traffic -->|views| n_views
  n_counts -.-> out_late
  n_traffic -.-> out_dead_letter
  n_split -.-> out_dead_letter
  n_keyed -.-> out_dead_letter
  n_counts -.-> out_dead_letter
  n_out -.-> out_dead_letter
  n_views -.-> out_dead_letter
`,
  );
});
