/** `generator`: deterministic synthetic records by seed, finite or unbounded, at a rate or as fast as possible. */
import { definePlugin, services } from '../../core/api/index.ts';
import type { ConfigIssue, FieldType } from '../../core/api/index.ts';
import { generatorSpec } from './spec.ts';
import type { GeneratorConfig } from './spec.ts';
import { compileFields } from './fields.ts';
import { GeneratorSource } from './generator.ts';
import type { GeneratorOutput } from './generator.ts';

/** The outputs a config describes: the main one (`''`) from `fields`, or the named `outputs`. */
export function generatorOutputs(config: GeneratorConfig): GeneratorOutput[] {
  const top = { count: config.count, rate: config.rate, partitions: config.partitions ?? 1 };
  if (config.outputs) {
    return Object.entries(config.outputs).map(([name, o]) => ({
      name,
      fields: compileFields(o.fields),
      count: o.count ?? top.count,
      rate: o.rate ?? top.rate,
      partitions: o.partitions ?? top.partitions,
      weight: o.weight ?? 1,
    }));
  }
  return [{ name: '', fields: compileFields(config.fields ?? {}), ...top, weight: 1 }];
}

function check(config: GeneratorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.fields && config.outputs) issues.push({ path: ['outputs'], severity: 'error', message: 'give either `fields` (one output) or `outputs`, not both' });
  if (!config.fields && !config.outputs) issues.push({ path: ['fields'], severity: 'error', message: 'give `fields` (one output) or named `outputs`' });
  if (config.outputs && Object.keys(config.outputs).length === 0) issues.push({ path: ['outputs'], severity: 'error', message: 'name at least one output' });
  if (issues.length === 0) {
    try {
      generatorOutputs(config);
    } catch (error) {
      issues.push({ path: [config.outputs ? 'outputs' : 'fields'], severity: 'error', message: (error as Error).message });
    }
  }
  return issues;
}

export const generatorPlugin = definePlugin({
  kind: 'source',
  name: 'generator',
  summary: 'Deterministic synthetic records by seed: finite or unbounded, at a rate or as fast as possible.',
  description: [
    'Generates records whose fields are described by kind (`int`, `float`, `one_of`, `sequence`, `id`, `bool`, `const`).',
    'Record i of an output depends only on the seed, the output and i, so the same config always yields the same records',
    'and a restore resumes exactly where the checkpoint was (the position is the count per output).',
    'Records are spread round-robin over `partitions`; each partition is a unit of watermark generation.',
    'Event time comes from the block\'s `event_time.field` (e.g. a `sequence` field with `jitter` for out-of-order data).',
    'With `rate`, an output yields at most `rate` records per second of the clock service (a logical clock only moves when the runtime moves it).',
  ].join(' '),
  spec: generatorSpec,
  deps: { clock: services.clock },
  check,
  plan(config) {
    const outputs = generatorOutputs(config);
    const fields: Record<string, Record<string, FieldType>> = {};
    for (const o of outputs) fields[o.name] = Object.fromEntries(o.fields.map((f) => [f.name, f.type]));
    return config.outputs ? { outputs: outputs.map((o) => o.name), fields } : { fields };
  },
  create({ config, deps }) {
    return new GeneratorSource(generatorOutputs(config), config.seed, deps.clock);
  },
});
