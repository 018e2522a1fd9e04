/**
 * The small pipeline the telemetry integration tests run: generator → filter → map →
 * key_by → window_aggregate → file, compiled against the built-in plugins.
 */
import { join } from 'node:path';
import { compileYaml } from '../engine/fixtures.ts';
import type { CompiledPipeline } from '../../core/runtime/graph/index.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { mapPlugin } from '../../plugins/operator-map/index.ts';
import { keyByPlugin } from '../../plugins/operator-key-by/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';

/** Every block id of the pipeline with its plugin name. */
export const STAGES = [
  ['gen', 'generator'],
  ['big', 'filter'],
  ['priced', 'map'],
  ['by_user', 'key_by'],
  ['per_user', 'window_aggregate'],
  ['out', 'file'],
] as const;

export function telemetryPipeline(name: string, dir: string, count: number): CompiledPipeline {
  return compileYaml(
    `
name: ${name}
sources:
  gen:
    generator:
      seed: 7
      count: ${count}
      fields:
        user_id: { int: [1, 20] }
        amount: { int: [1, 100] }
        ts: { sequence: { start: 0, step: 10ms } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  big:
    input: gen
    filter: { where: "amount > 20" }
  priced:
    input: big
    map: { set: { cents: "amount * 100" } }
  by_user:
    input: priced
    key_by: { key: user_id }
  per_user:
    input: by_user
    window_aggregate:
      key: user_id
      window: { tumbling: 1s }
      aggregates: { n: count, total: { sum: cents } }
sinks:
  out:
    input: per_user
    file: { path: ${join(dir, 'out.jsonl')} }
`,
    [generatorPlugin, filterPlugin, mapPlugin, keyByPlugin, windowAggregatePlugin, fileSinkPlugin],
  );
}
