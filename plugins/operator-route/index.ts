/** `route`: splits one stream into named outputs by CEL predicates. */
import { definePlugin } from '../../core/api/index.ts';
import type { ConfigIssue, StreamInfo } from '../../core/api/index.ts';
import { routeSpec, outputNames } from './spec.ts';
import type { RouteConfig } from './spec.ts';
import { createRoute } from './route.ts';

function check(config: RouteConfig): ConfigIssue[] {
  return Object.keys(config.routes).length === 0 ? [{ path: ['routes'], severity: 'error', message: 'name at least one route' }] : [];
}

export const routePlugin = definePlugin({
  kind: 'operator',
  name: 'route',
  summary: 'Splits a stream into named outputs by CEL predicates (first match or all matches).',
  description: [
    'Each route is a named output, read downstream as `<id>.<name>` (e.g. `input: split.clicks`).',
    'Predicates are tried in the order written; with `mode: first` a record goes to the first route that matches, with `mode: all` to every route that matches (the same record object, not a copy).',
    'A record that matches no route goes to the `default` named output when one is set, else to the main output `<id>`; either way it is counted as `unrouted`.',
    'A predicate that fails (a missing field, a type error) or gives a non-boolean dead-letters the record with reason `expr_error`; it is sent nowhere else.',
    'Records keep their event time, change kind and provenance; every output has the input\'s fields, key and changelog.',
  ].join(' '),
  spec: routeSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check,
  plan(config, [input]) {
    const outputs: Record<string, StreamInfo> = {};
    for (const name of outputNames(config)) outputs[name] = input!;
    return { output: input!, outputs };
  },
  create: ({ config, expressions }) => createRoute(config, expressions),
});
