/**
 * What a checkpoint records of the pipeline it was taken of (`CheckpointManifest.pipeline`):
 * a hash of the compiled definition, normalised — plugins, parsed configs (defaults applied,
 * durations in ms), wiring, event time and codecs, not file locations or key order — and
 * each stateful operator's type and keyed state descriptors, by operator id (its YAML name).
 * A restore from a savepoint checks the descriptors (savepoint-fit.ts); the hash only tells
 * whether anything changed.
 */
import { createHash } from 'node:crypto';
import { isPluginDefinition } from '../../api/index.ts';
import type { OperatorStateShape, PipelineShape } from '../../api/index.ts';
import type { CompiledOperator, CompiledPipeline, CompiledSink } from '../graph/types.ts';

/** JSON with sorted keys; non-finite numbers as strings; functions and undefined left out; plugins by name. */
function canonical(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(`${value}n`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  // A plugin a config names (`keyed_process`'s function) stands for its name, as written.
  if (isPluginDefinition(value)) return JSON.stringify(value.name);
  if (value instanceof RegExp) return JSON.stringify(String(value));
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}

const sinkDef = (k: CompiledSink | undefined) => k && { id: k.id, plugin: k.plugin.name, config: k.config, input: k.input, codec: k.codec };

/** The normalised definition that is hashed. */
function definition(p: CompiledPipeline): unknown {
  return {
    name: p.name,
    packages: [...p.packages].sort(),
    sources: p.sources.map((s) => ({ id: s.id, plugin: s.plugin.name, config: s.config, outputs: s.outputs, eventTime: s.eventTime, codec: s.codec })),
    operators: p.operators.map((o) => ({ id: o.id, plugin: o.plugin.name, config: o.config, inputs: o.inputs })),
    sinks: p.sinks.map(sinkDef),
    late: sinkDef(p.late),
    deadLetter: sinkDef(p.deadLetter),
  };
}

export function pipelineHash(p: CompiledPipeline): string {
  return createHash('sha256').update(canonical(definition(p))).digest('hex');
}

/** The operator's keyed state descriptors, or undefined when it declares none. */
export function operatorStateShape(op: CompiledOperator): OperatorStateShape | undefined {
  const declared = (op.plugin.state as ((config: unknown) => Record<string, { kind: 'value' | 'map' | 'list' }>) | undefined)?.(op.config);
  if (!declared || Object.keys(declared).length === 0) return undefined;
  const state: Record<string, 'value' | 'map' | 'list'> = {};
  for (const name of Object.keys(declared).sort()) state[name] = declared[name]!.kind;
  return { type: op.plugin.name, state };
}

export function pipelineShape(p: CompiledPipeline): PipelineShape {
  const operators: Record<string, OperatorStateShape> = {};
  for (const op of p.operators) {
    const shape = operatorStateShape(op);
    if (shape) operators[op.id] = shape;
  }
  return { hash: pipelineHash(p), operators };
}
