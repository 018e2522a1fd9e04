/**
 * `keyed_process`: runs a keyed function (plugin kind `keyed_function`, core/api/keyed-function.ts) with keyed state and
 * event/processing-time timers — Flink's KeyedProcessFunction. Elements with
 * ts < W − allowed_lateness go to the late output (`process_late`) before the function sees
 * them (or the function's `lateReason`); an exception from `processElement` dead-letters that element.
 */
import { APPEND_ONLY, definePlugin, keyText } from '../../core/api/index.ts';
import type { OperatorPlan, StateDescriptor, StreamInfo } from '../../core/api/index.ts';
import { keyedProcessSpec } from './spec.ts';
import { ProcessContext } from './context.ts';

const optionsOf = (raw: unknown) => (raw ?? {}) as Record<string, unknown>;

export const keyedProcessPlugin = definePlugin({
  kind: 'operator',
  name: 'keyed_process',
  summary: 'Runs a keyed function with keyed state and timers (Flink KeyedProcessFunction).',
  description:
    'The function is a plugin of kind `keyed_function` (`defineKeyedFunction` in `sluice/api`), built in or from a package ' +
    'under `plugins:`, named by `function:`; `options:` is validated by its spec (`sluice plugins docs <function>`). It gets ' +
    'each element not late for the block with `ctx.state`, `ctx.timers` and emit/late/dead-letter helpers, `onTimer` for its timers, and (optional) `finishBatch` once after each input batch, to emit what it gathered across the batch\'s keys.',
  spec: keyedProcessSpec,
  inputs: { min: 1, max: 8 },
  keyed: true,
  consumesUpserts: false,
  state: (config) => (config.function.state?.(optionsOf(config.options)) ?? {}) as Record<string, StateDescriptor>,
  plan(config, inputs): OperatorPlan {
    const fn = config.function;
    const key = config.key === undefined ? undefined : typeof config.key === 'string' ? [config.key] : [...config.key];
    const upstream = Math.max(0, ...inputs.map((i) => i.allowedLateness));
    const described = fn.output?.(optionsOf(config.options), inputs[0]!) ?? {};
    const output: StreamInfo = { changelog: APPEND_ONLY, ...described, allowedLateness: Math.max(upstream, config.allowed_lateness, described.allowedLateness ?? 0) };
    return {
      keys: inputs.map(() => key),
      output,
      ...(fn.outputs ? { outputs: Object.fromEntries(fn.outputs.map((name: string) => [name, { changelog: APPEND_ONLY, allowedLateness: output.allowedLateness }])) } : {}),
      issues: config.allowed_lateness < upstream ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than an input's (${upstream} ms)` }] : [],
    };
  },
  create({ config, state }) {
    const fn = config.function;
    const pc = new ProcessContext(optionsOf(config.options), state);
    const lateness = config.allowed_lateness;
    const lateReason = fn.lateReason ?? 'process_late';
    return {
      processRecord(batch, i, input, ctx) {
        const t = batch.times[i]!;
        const value = batch.values[i]!;
        if (t < ctx.watermark - lateness) {
          ctx.late(value, t, lateReason, batch.provenance?.[i]);
          return;
        }
        pc.ctx = ctx;
        pc.input = input;
        pc.domain = undefined;
        pc.key = keyText(batch.keys![i]!);
        pc.timestamp = t;
        pc.index = i;
        pc.value = value;
        pc.provenance = batch.provenance?.[i];
        try {
          fn.processElement(value, pc);
        } catch (error) {
          ctx.fail(i, error);
        }
      },
      endBatch(_batch, input, ctx) {
        pc.ctx = ctx;
        pc.input = input;
        pc.index = -1;
        pc.value = undefined;
        pc.provenance = undefined;
        if (fn.finishBatch) fn.finishBatch(pc);
      },
      onTimer(timestamp, key, domain, ctx) {
        if (!fn.onTimer) return;
        pc.ctx = ctx;
        pc.key = keyText(key);
        pc.timestamp = timestamp;
        pc.input = -1;
        pc.domain = domain;
        fn.onTimer(timestamp, pc);
      },
    };
  },
});
