/**
 * Source groups: `<id>: { outputs: { <name>: <source block> } }` reads several sources as the
 * named outputs of one, so a profile swaps a multi-output source for one source per topic
 * while the operators keep reading `<id>.<name>`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPipelineInProcess } from '../../core/runtime/engine/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { unionPlugin } from '../../plugins/operator-union/index.ts';
import { compileYaml, lookupOf, scriptedSource, collectSink } from './fixtures.ts';

const PIPELINE = (profile: string) => `
name: grouped
sources:
  traffic:
    outputs:
      clicks: { scripted: { script: a }, event_time: { field: ts } }
      views: { scripted: { script: b }, event_time: { field: ts } }
operators:
  both:
    input: [traffic.clicks, traffic.views]
    union: {}
sinks:
  out: { input: both, collect: { name: out } }
  views_only: { input: traffic.views, collect: { name: views } }
profiles:
  ${profile}
`;

void test('a source group: each member is a source, `<group>.<name>` reads it', async () => {
  const pipeline = compileYaml(PIPELINE('plain: {}'), [unionPlugin]);
  assert.deepEqual(pipeline.sources.map((s) => s.id), ['traffic.clicks', 'traffic.views']);
  const out = await runPipelineInProcess(pipeline, {
    'traffic.clicks': [{ value: { k: 'c', ts: 1 } }, { value: { k: 'c', ts: 3 } }],
    'traffic.views': [{ value: { k: 'v', ts: 2 } }],
  });
  assert.deepEqual(out.sinks.out!.map((r) => r.value.k).sort(), ['c', 'c', 'v']);
  assert.deepEqual(out.sinks.views_only!.map((r) => r.value), [{ k: 'v', ts: 2 }]);
});

void test('a profile replaces a group by id; bad groups and a missing member are reported with their place', () => {
  const text = PIPELINE(`broken:
    sources:
      traffic:
        event_time: { field: ts }
        outputs:
          clicks: { scripted: { script: a } }`);
  const result = compilePipeline({ file: 'g.yaml', text, env: {}, profile: 'broken', plugins: lookupOf([scriptedSource, collectSink, unionPlugin]) } as never);
  const lines = result.issues.map((i) => `${i.line}:${i.col} ${i.code} ${i.configPath}`);
  assert.ok(lines.includes('19:9 E_UNKNOWN_KEY profiles.broken.sources.traffic.event_time'), lines.join('\n'));
  assert.ok(result.issues.some((i) => i.code === 'E_UNKNOWN_INPUT' && i.configPath === 'sinks.views_only.input'), lines.join('\n'));
});
