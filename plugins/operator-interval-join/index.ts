/**
 * `interval_join`: Flink's interval join of two keyed streams (docs/architecture.md §4).
 *
 * Back-pressure: the instance has `blockedInputs()`, naming the side whose buffered record
 * count (all keys) is over `max_buffered_per_side` (never both at once); the engine (through
 * the operator host's `blockedInputs()`) stops feeding that input until the watermark frees
 * buffers. `buffered()` returns the two counts, for metrics.
 */
import { APPEND_ONLY, definePlugin, state } from '../../core/api/index.ts';
import type { ConfigIssue, FieldType } from '../../core/api/index.ts';
import { intervalJoinSpec } from './spec.ts';
import { createJoin, keyFields } from './join.ts';
import type { Buffers } from './buffer.ts';

export const intervalJoinPlugin = definePlugin({
  kind: 'operator',
  name: 'interval_join',
  summary: 'Joins two keyed streams on records whose event times lie within [lower, upper] of each other.',
  description:
    'For key k, emits (l, r) when `r.ts − l.ts ∈ [lower, upper]` (bounds inclusive unless configured), with event time ' +
    '`max(l.ts, r.ts)` and both sides\' provenance, if the optional `where` condition over `left` and `right` holds. ' +
    'Output `{key, left, right}` unless `project` is set. Records with ' +
    '`ts < watermark − allowed_lateness` go to the late output with reason `join_late`. Buffers are per key, sorted by ' +
    'time, and freed by an event-time timer per key once nothing still to come can match them; timer times are rounded ' +
    'up to 1/32 of how long a record can be kept (upper − lower + allowed_lateness, at most 1 s), so keys share them ' +
    'and a record may stay buffered that much past its bound.',
  spec: intervalJoinSpec,
  inputs: { min: 2, max: 2 },
  keyed: true,
  integerKeys: true,
  consumesUpserts: false,
  state: () => ({ buffers: state.value<Buffers>() }),
  check(config) {
    const issues: ConfigIssue[] = [];
    const empty = config.lower === config.upper && !(config.lower_inclusive && config.upper_inclusive);
    if (config.lower > config.upper || empty) issues.push({ path: ['lower'], severity: 'error', message: `the interval [${config.lower}, ${config.upper}] ms is empty` });
    return issues;
  },
  plan(config, inputs) {
    const [left, right] = keyFields(config.key);
    const upstream = Math.max(inputs[0]?.allowedLateness ?? 0, inputs[1]?.allowedLateness ?? 0);
    const fields: Record<string, FieldType> = config.project
      ? Object.fromEntries(Object.keys(config.project).map((name) => [name, 'dyn' as FieldType]))
      : { key: 'dyn', left: 'map', right: 'map' };
    const issues: ConfigIssue[] = config.allowed_lateness < upstream
      ? [{ path: ['allowed_lateness'], severity: 'warning', message: `allowed_lateness is smaller than an input's (${upstream} ms)` }]
      : [];
    return {
      keys: [[left], [right]],
      output: { fields, changelog: APPEND_ONLY, allowedLateness: Math.max(upstream, config.allowed_lateness) },
      issues,
    };
  },
  create: ({ config, state: s, expressions }) => createJoin(config, s, expressions),
});
