/**
 * `keyed_process`: runs a keyed function (see `function.ts`) with keyed state and
 * event/processing-time timers — Flink's KeyedProcessFunction. Elements with
 * ts < W − allowed_lateness go to the late output (`process_late`) before the function sees
 * them; an exception from `processElement` dead-letters that element.
 */
import { APPEND_ONLY, definePlugin } from '../../core/api/index.ts';
import type { ConfigIssue, OperatorPlan, StateDescriptor, StreamInfo } from '../../core/api/index.ts';
import { keyedProcessSpec } from './spec.ts';
import { keyedFunction, keyedFunctionNames, type KeyedFunction } from './function.ts';
import { ProcessContext } from './context.ts';

export { defineKeyedFunction, keyedFunction, keyedFunctionNames } from './function.ts';
export type { KeyedFunction, KeyedProcessContext } from './function.ts';

function lookup(name: string): KeyedFunction {
  const fn = keyedFunction(name);
  if (!fn) throw new Error(`no keyed function '${name}' (known: ${keyedFunctionNames().join(', ') || 'none'})`);
  return fn;
}

const optionsOf = (raw: unknown) => (raw ?? {}) as Record<string, unknown>;

export const keyedProcessPlugin = definePlugin({
  kind: 'operator',
  name: 'keyed_process',
  summary: 'Runs a keyed function with keyed state and timers (Flink KeyedProcessFunction).',
  description:
    'The function is defined with `defineKeyedFunction` (plugins/operator-keyed-process/function.ts) in its own plugin folder ' +
    'or package and named by `function:`. It gets each element not late for the block with `ctx.state`, `ctx.timers` and ' +
    'emit/late/dead-letter helpers, `onTimer` for its timers, and (optional) `finishBatch` once after each input batch, to emit what it gathered across the batch\'s keys.',
  spec: keyedProcessSpec,
  inputs: { min: 1, max: 8 },
  keyed: true,
  consumesUpserts: false,
  check(config) {
    const issues: ConfigIssue[] = [];
    if (!keyedFunction(config.function)) {
      issues.push({ path: ['function'], severity: 'error', message: `no keyed function '${config.function}'`, hint: `known: ${keyedFunctionNames().join(', ') || 'none'}` });
    }
    return issues;
  },
  state: (config) => (keyedFunction(config.function)?.state?.(optionsOf(config.options)) ?? {}) as Record<string, StateDescriptor>,
  plan(config, inputs): OperatorPlan {
    const fn = keyedFunction(config.function);
    const key = config.key === undefined ? undefined : typeof config.key === 'string' ? [config.key] : [...config.key];
    const upstream = Math.max(0, ...inputs.map((i) => i.allowedLateness));
    const described = fn?.output?.(optionsOf(config.options), inputs[0]!) ?? {};
    const output: StreamInfo = { changelog: APPEND_ONLY, ...described, allowedLateness: Math.max(upstream, config.allowed_lateness, described.allowedLateness ?? 0) };
    return {
      keys: inputs.map(() => key),
      output,
      ...(fn?.outputs ? { outputs: Object.fromEntries(fn.outputs.map((name) => [name, { changelog: APPEND_ONLY, allowedLateness: output.allowedLateness }])) } : {}),
      issues: config.allowed_lateness < upstream ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than an input's (${upstream} ms)` }] : [],
    };
  },
  create({ config, state }) {
    const fn = lookup(config.function);
    const pc = new ProcessContext(optionsOf(config.options), state);
    const lateness = config.allowed_lateness;
    return {
      processBatch(batch, input, ctx) {
        const { values, times, keys, provenance } = batch;
        pc.ctx = ctx;
        pc.input = input;
        pc.domain = undefined;
        const lateBefore = ctx.watermark - lateness;
        for (let i = 0; i < batch.length; i++) {
          const t = times[i]!;
          if (t < lateBefore) {
            ctx.late(values[i]!, t, 'process_late', provenance?.[i]);
            continue;
          }
          pc.key = keys![i]!;
          pc.timestamp = t;
          pc.index = i;
          pc.value = values[i]!;
          pc.provenance = provenance?.[i];
          ctx.setCurrentKey(pc.key);
          ctx.setCurrentTime(t);
          try {
            fn.processElement(values[i]!, pc);
          } catch (error) {
            ctx.fail(i, error);
          }
        }
        pc.index = -1;
        pc.value = undefined;
        pc.provenance = undefined;
        if (fn.finishBatch) fn.finishBatch(pc);
      },
      onTimer(timestamp, key, domain, ctx) {
        if (!fn.onTimer) return;
        pc.ctx = ctx;
        pc.key = key;
        pc.timestamp = timestamp;
        pc.input = -1;
        pc.domain = domain;
        fn.onTimer(timestamp, pc);
      },
    };
  },
});
