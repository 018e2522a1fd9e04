/** `map`: adds, overwrites or drops fields with CEL, or projects a new record. */
import { definePlugin } from '../../core/api/index.ts';
import type { ConfigIssue } from '../../core/api/index.ts';
import { mapSpec } from './spec.ts';
import type { MapConfig } from './spec.ts';
import { planMap } from './plan.ts';
import { createMap } from './map.ts';

function check(config: MapConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { set, drop, project } = config;
  if (project && (set || drop)) issues.push({ path: ['project'], severity: 'error', message: '`project` builds a new record: use it instead of `set`/`drop`, not with them' });
  if (!project && !set && !drop) issues.push({ path: [], severity: 'error', message: 'give `set` and/or `drop`, or `project`' });
  for (const name of drop ?? []) {
    if (set && Object.hasOwn(set, name)) issues.push({ path: ['drop'], severity: 'error', message: `'${name}' is both set and dropped` });
  }
  if (project && Object.keys(project).length === 0) issues.push({ path: ['project'], severity: 'error', message: 'project at least one field' });
  return issues;
}

export const mapPlugin = definePlugin({
  kind: 'operator',
  name: 'map',
  summary: 'Adds, overwrites or drops fields with CEL expressions, or projects a new record.',
  description: [
    'Two shapes. `set` (name → CEL) adds or overwrites fields and `drop` removes fields; the rest of the record is kept.',
    '`project` (name → CEL) builds a new record of exactly those fields.',
    'Every expression sees the input record (`self` is the whole record; guard optional fields with `has(self.x)`).',
    'An expression error (a missing field, a type error) dead-letters the record with reason `expr_error`; the job goes on.',
    'Change kinds, event times and provenance pass through unchanged.',
    'The output keeps the input\'s key and upsert key when their fields survive (kept, or copied as `new_name: old_name`);',
    'a map that loses an upsert key field is rejected.',
  ].join(' '),
  spec: mapSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check,
  plan: (config, [input]) => planMap(config, input!),
  create: ({ config, expressions }) => createMap(config, expressions),
});
