/**
 * Plans the graph in topological order: each block's config validated against its
 * plugin's spec (CEL checked against the fields known at that point), then its output
 * streams described by the plugin's `plan`, then the checks between it and its inputs.
 */
import { APPEND_ONLY } from '../../api/index.ts';
import type { OperatorDefinition, OperatorPlan, SinkDefinition, SourceDefinition, SourcePlan, StreamInfo } from '../../api/index.ts';
import type { PipelineBlock } from '../spec/blocks.ts';
import { issueAt } from '../spec/issues.ts';
import type { Locator } from '../spec/locator.ts';
import type { PipelineDefinition } from '../spec/pipeline.ts';
import { checkOperator, inputKeysOf } from './checks.ts';
import type { Dag } from './dag.ts';
import { locateBlock } from './located.ts';
import { validatePluginConfig } from './plugin-config.ts';
import { exprFieldsOf, StreamTable, UNKNOWN_STREAM } from './streams.ts';
import type { InputStream } from './streams.ts';
import type { CompiledOperator, CompiledSink, CompiledSource, LocatedIssue, PluginLookup } from './types.ts';

export interface Planned {
  readonly sources: CompiledSource[];
  readonly operators: CompiledOperator[];
  readonly sinks: CompiledSink[];
  readonly late: CompiledSink | undefined;
  readonly deadLetter: CompiledSink | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class Planner {
  private readonly streams = new StreamTable();
  constructor(
    private readonly locator: Locator,
    private readonly issues: LocatedIssue[],
    private readonly plugins?: PluginLookup,
  ) {}

  plan(def: PipelineDefinition, dag: Dag): Planned {
    const sources = def.sources.flatMap((b) => (dag.nodes.get(b.id) === b ? this.source(b) : []));
    for (const b of def.operators) if (dag.broken.has(b.id)) this.streams.set(b.id, undefined);
    const operators = dag.order.flatMap((b) => this.operator(b));
    const sinks = def.sinks.flatMap((b) => this.sink(b));
    return {
      sources,
      operators,
      sinks,
      late: def.late ? this.sink(def.late)[0] : undefined,
      deadLetter: def.deadLetter ? this.sink(def.deadLetter)[0] : undefined,
    };
  }

  private source(block: PipelineBlock): CompiledSource[] {
    const { config, ok } = validatePluginConfig(block, this.locator, {}, this.issues, this.plugins);
    if (!ok) {
      this.streams.set(block.id, undefined);
      return [];
    }
    const plugin = block.plugin as SourceDefinition;
    let plan: SourcePlan;
    try {
      plan = plugin.plan?.(config) ?? {};
    } catch (error) {
      this.issues.push(issueAt(this.locator, 'E_CONFIG_INVALID', [...block.path, block.pluginName!], `source plugin "${block.pluginName}" failed to plan: ${message(error)}`));
      this.streams.set(block.id, undefined);
      return [];
    }
    const outputs = plan.outputs && plan.outputs.length > 0 ? plan.outputs : [''];
    const streams: Record<string, StreamInfo> = {};
    for (const name of outputs) {
      const fields = plan.fields?.[name];
      streams[name] = { changelog: APPEND_ONLY, allowedLateness: 0, ...(fields ? { fields } : {}) };
    }
    this.streams.set(block.id, new Map(Object.entries(streams)));
    return [{ id: block.id, plugin, config, outputs, streams, eventTime: block.eventTime, codec: block.codec, location: locateBlock(block, this.locator) }];
  }

  private resolveInputs(block: PipelineBlock): InputStream[] | undefined {
    const resolved = block.inputs.map((input) => this.streams.resolve(input, this.locator, this.issues));
    return resolved.every((r) => r !== undefined) ? (resolved as InputStream[]) : undefined;
  }

  private operator(block: PipelineBlock): CompiledOperator[] {
    const inputs = this.resolveInputs(block);
    const { config, ok } = validatePluginConfig(block, this.locator, exprFieldsOf(inputs ?? []), this.issues, this.plugins);
    const plugin = block.plugin as OperatorDefinition | undefined;
    const planned = ok && plugin && inputs && block.inputs.length > 0 ? this.planOperator(block, plugin, config, inputs) : undefined;
    if (!planned) {
      this.streams.set(block.id, undefined);
      return [];
    }
    const { plan } = planned;
    const known = inputs!.every((s) => s.known);
    this.streams.set(block.id, known ? new Map([['', plan.output], ...Object.entries(plan.outputs ?? {})]) : undefined);
    const inputKeys = inputKeysOf(plan, inputs!);
    checkOperator(block, plugin!, plan, inputs!, inputKeys, this.locator, this.issues);
    for (const issue of plan.issues ?? []) {
      this.issues.push(
        issueAt(this.locator, 'E_CONFIG_INVALID', [...block.path, block.pluginName!, ...issue.path], issue.message, {
          severity: issue.severity,
          ...(issue.hint ? { hint: issue.hint } : {}),
        }),
      );
    }
    return [{ id: block.id, plugin: plugin!, config, inputs: block.inputs.map((i) => i.ref), plan, inputKeys, location: locateBlock(block, this.locator) }];
  }

  private planOperator(block: PipelineBlock, plugin: OperatorDefinition, config: unknown, inputs: InputStream[]): { plan: OperatorPlan } | undefined {
    const { min, max } = plugin.inputs;
    if (inputs.length < min || inputs.length > max) {
      const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.issues.push(issueAt(this.locator, 'E_CONFIG_INVALID', [...block.path, 'input'], `operator "${block.pluginName}" takes ${wanted} input${wanted === '1' ? '' : 's'}, got ${inputs.length}`));
      return undefined;
    }
    try {
      return { plan: plugin.plan(config, inputs.map((s) => s.info)) };
    } catch (error) {
      this.issues.push(issueAt(this.locator, 'E_CONFIG_INVALID', [...block.path, block.pluginName!], `operator plugin "${block.pluginName}" failed to plan: ${message(error)}`));
      return undefined;
    }
  }

  private sink(block: PipelineBlock): CompiledSink[] {
    const inputs = block.section === 'sinks' ? this.resolveInputs(block) : [];
    const { config, ok } = validatePluginConfig(block, this.locator, exprFieldsOf(inputs ?? []), this.issues, this.plugins);
    if (!ok || !inputs || (block.section === 'sinks' && inputs.length !== 1)) return [];
    const input = inputs[0];
    return [
      {
        id: block.id,
        plugin: block.plugin as SinkDefinition,
        config,
        ...(input ? { input: input.input.ref } : {}),
        changelog: (input?.info ?? UNKNOWN_STREAM).changelog,
        codec: block.codec,
        location: locateBlock(block, this.locator),
      },
    ];
  }
}
