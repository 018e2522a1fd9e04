/**
 * Creates the plugin instances of one job attempt: sources and sinks through their
 * definitions' `create`, operators through the operator host, each with its declared
 * services resolved from the job container (or, without one, from the engine's own).
 * A `create` that throws is `E_PLUGIN_INIT`, naming the block and its position.
 */
import { APPEND_ONLY, services } from '../../api/index.ts';
import type { PluginDefinition, PluginKind, ServiceRef, SinkInstance, SourceInstance, StreamInfo } from '../../api/index.ts';
import { resolveDeps } from '../di/index.ts';
import type { CompiledOperator, CompiledPipeline, CompiledSink, CompiledSource, Located } from '../graph/types.ts';
import { PluginInitError } from '../plugins/lifecycle.ts';
import type { Lifecycle } from '../plugins/lifecycle.ts';
import { OperatorHost } from '../state/index.ts';
import type { EngineSettings } from './settings.ts';
import { getCodec } from '../codec/index.ts';

type Deps = Readonly<Record<string, unknown>>;

function toLocation(l: Located | undefined): Lifecycle['location'] {
  return l ? { file: l.file, line: l.line, col: l.col, path: l.configPath } : undefined;
}

function initError(kind: Lifecycle['kind'], id: string, location: Located | undefined, cause: unknown): PluginInitError {
  const loc = toLocation(location);
  const item: Lifecycle = { id, kind, ...(loc ? { location: loc } : {}), open: () => Promise.resolve(), close: () => Promise.resolve() };
  return new PluginInitError(item, cause);
}

export function pluginDeps(s: EngineSettings, def: PluginDefinition, kind: PluginKind, id: string): Deps {
  const declared = (def.deps ?? {}) as Record<string, ServiceRef<unknown>>;
  if (s.container) return resolveDeps(s.container, declared, { kind, name: def.name, id });
  const own: Record<string, unknown> = {
    [services.clock.id]: s.clock,
    [services.logger.id]: s.logger,
    [services.tracer.id]: s.telemetry.tracer,
    [services.meter.id]: s.telemetry.meter,
    [services.stateBackend.id]: s.backend,
    [services.checkpointStore.id]: s.store,
  };
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(declared)) {
    if (own[ref.id] === undefined) throw new Error(`service '${ref.id}' (deps.${name}) is not available without a job container`);
    out[name] = own[ref.id];
  }
  return out;
}

export async function createSource(s: EngineSettings, c: CompiledSource): Promise<SourceInstance> {
  const override = s.overrides.sources?.[c.id];
  try {
    if (override) return override();
    return await c.plugin.create({ id: c.id, config: c.config, deps: pluginDeps(s, c.plugin, 'source', c.id), logger: s.logger.child({ source: c.id }), job: s.pipeline.name, resetState: s.resetState, ...(s.task ? { task: s.task } : {}) });
  } catch (error) {
    throw initError('source', c.id, c.location, error);
  }
}

export async function createSink(s: EngineSettings, c: CompiledSink, role: 'sink' | 'late' | 'deadLetter'): Promise<SinkInstance> {
  const override = role === 'sink' ? s.overrides.sinks?.[c.id] : role === 'late' ? s.overrides.late : s.overrides.deadLetter;
  const kind = role === 'sink' ? 'sink' : role === 'late' ? 'late output' : 'dead-letter output';
  try {
    if (override) return override();
    return await c.plugin.create({
      codec: getCodec(c.codec ?? 'json'),
      id: c.id,
      config: c.config,
      deps: pluginDeps(s, c.plugin, 'sink', c.id),
      logger: s.logger.child({ sink: c.id }),
      job: s.pipeline.name,
      input: { changelog: c.changelog ?? APPEND_ONLY },
      expressions: s.expressions,
      ...(s.task ? { task: s.task } : {}),
    });
  } catch (error) {
    throw initError(kind, c.id, c.location, error);
  }
}

/** What the planner knows of stream `ref`, keyed as operator `op` sees input `i`. */
function inputInfo(p: CompiledPipeline, op: CompiledOperator, i: number): StreamInfo {
  const ref = op.inputs[i]!;
  const source = p.sources.find((x) => x.id === ref.node);
  let info: StreamInfo | undefined;
  if (source) info = source.streams[ref.output ?? ''];
  else {
    const up = p.operators.find((x) => x.id === ref.node);
    info = ref.output ? up?.plan.outputs?.[ref.output] : up?.plan.output;
  }
  const base: StreamInfo = info ?? { changelog: APPEND_ONLY, allowedLateness: 0 };
  const key = op.inputKeys[i];
  return key ? { ...base, key } : base;
}

export function createOperatorHost(s: EngineSettings, p: CompiledPipeline, op: CompiledOperator): OperatorHost {
  try {
    return new OperatorHost({
      definition: op.plugin,
      config: op.config,
      id: op.id,
      job: p.name,
      backend: s.backend,
      expressions: s.expressions,
      inputs: op.inputs.map((_, i) => inputInfo(p, op, i)),
      clock: s.clock,
      deps: pluginDeps(s, op.plugin, 'operator', op.id),
      logger: s.logger.child({ operator: op.id }),
      plan: op.plan,
      maxKeys: s.stateMaxKeys,
    });
  } catch (error) {
    throw initError('operator', op.id, op.location, error);
  }
}
