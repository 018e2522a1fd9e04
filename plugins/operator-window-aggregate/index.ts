/**
 * `window_aggregate`: keyed event-time windows (tumbling, sliding, session, cumulate) with
 * named aggregates and allowed lateness. Semantics in `operator.ts`.
 *
 * Output `{...key fields, window_start, window_end, ...aggregates}` with event time
 * window_end − 1. With `allowed_lateness` 0 a window is emitted once (append stream);
 * otherwise the output is an upsert stream keyed by the key fields + window_start
 * (+ window_end for cumulate), with `update`s for late records and, for sessions, `delete`s
 * of absorbed windows.
 */
import { APPEND_ONLY, definePlugin, state } from '../../core/api/index.ts';
import type { ConfigIssue, FieldType, Infer } from '../../core/api/index.ts';
import { aggregator } from './aggregates.ts';
import { createWindowOperator } from './operator.ts';
import type { Packed } from './packed.ts';
import { windowShape } from './windows.ts';
import { windowAggregateSpec } from './spec.ts';

type Config = Infer<typeof windowAggregateSpec>;
const keyFieldsOf = (config: Config): string[] => (typeof config.key === 'string' ? [config.key] : [...config.key]);
type RawAggregate = Parameters<typeof aggregator>[1];
type RawWindow = Parameters<typeof windowShape>[0];

export const windowAggregatePlugin = definePlugin({
  kind: 'operator',
  name: 'window_aggregate',
  summary: 'Aggregates keyed records over tumbling, sliding, session or cumulative event-time windows.',
  description:
    'Output rows: the key fields, `window_start` and `window_end` (epoch milliseconds, end exclusive), then one field per ' +
    'aggregate; their event time is window_end − 1, the last millisecond the window covers. ' +
    'Windows fire when the watermark reaches window_end − 1 (`insert`); records late within `allowed_lateness` re-emit the ' +
    'window (`update`); records late for every window they belong to go to the late output (`window_closed`). Session ' +
    'merges emit the merged window as `update` and absorbed, already emitted windows as `delete`. CUMULATE as Flink. ' +
    'Aggregates: count, sum, min, max, avg, distinct, approx_distinct (HyperLogLog, hyperlolo), quantiles (DDSketch, ' +
    '@datadog/sketches-js).',
  spec: windowAggregateSpec,
  inputs: { min: 1, max: 1 },
  keyed: true,
  integerKeys: true,
  consumesUpserts: false,
  state: () => ({ packed: state.value<Packed>(), keyValues: state.value<unknown[]>() }),
  check(config) {
    const issues: ConfigIssue[] = [];
    const shape = windowShape(config.window as RawWindow);
    if (shape.kind === 'cumulate' && shape.size % shape.slide !== 0) {
      issues.push({ path: ['window', 'cumulate', 'max_size'], severity: 'error', message: 'max_size must be a multiple of step' });
    }
    if (Object.keys(config.aggregates).length === 0) issues.push({ path: ['aggregates'], severity: 'error', message: 'name at least one aggregate' });
    // The output row is {...key fields, window_start, window_end, ...aggregates}: a key field so named would be overwritten.
    const keyPath = (i: number): (string | number)[] => (typeof config.key === 'string' ? ['key'] : ['key', i]);
    keyFieldsOf(config).forEach((k, i) => {
      if (k === 'window_start' || k === 'window_end') {
        issues.push({ path: keyPath(i), severity: 'error', message: `key field '${k}' collides with the '${k}' the window writes to its output; rename it upstream (e.g. with map)` });
      }
    });
    const taken = new Set([...keyFieldsOf(config), 'window_start', 'window_end']);
    for (const name of Object.keys(config.aggregates)) {
      if (taken.has(name)) issues.push({ path: ['aggregates', name], severity: 'error', message: `'${name}' clashes with a key or window field` });
    }
    return issues;
  },
  plan(config, [input]) {
    const keys = keyFieldsOf(config);
    const shape = windowShape(config.window as RawWindow);
    const upstream = input?.allowedLateness ?? 0;
    const fields: Record<string, FieldType> = { window_start: 'int', window_end: 'int' };
    for (const k of keys) fields[k] = input?.fields?.[k] ?? 'dyn';
    for (const name of Object.keys(config.aggregates)) fields[name] = 'dyn';
    const upsertKey = [...keys, 'window_start', ...(shape.kind === 'cumulate' ? ['window_end'] : [])];
    return {
      keys: [keys],
      output: {
        fields,
        key: keys,
        changelog: config.allowed_lateness > 0 ? { mode: 'upsert', key: upsertKey } : APPEND_ONLY,
        allowedLateness: Math.max(upstream, config.allowed_lateness),
      },
      issues: config.allowed_lateness < upstream
        ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than the input's (${upstream} ms)` }]
        : [],
    };
  },
  create({ config, state: s }) {
    return createWindowOperator(
      {
        shape: windowShape(config.window as RawWindow),
        lateness: config.allowed_lateness,
        keyFields: keyFieldsOf(config),
        aggregates: Object.entries(config.aggregates).map(([name, raw]) => aggregator(name, raw as RawAggregate)),
      },
      s,
    );
  },
});
