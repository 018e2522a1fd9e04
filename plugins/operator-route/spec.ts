import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

const OUTPUT_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export const routeSpec = field.object({
  routes: field.map(field.expr({ doc: 'CEL predicate over the record.', returns: 'bool' }), {
    doc: 'Named outputs, name → CEL predicate, tried in the order written. A route is read downstream as `<id>.<name>`.',
    example: { clicks: 'action == "click"', big: 'amount > 100' },
    keyPattern: OUTPUT_NAME,
  }),
  mode: field.enum(['first', 'all'] as const, {
    doc: '`first`: a record goes to the first route whose predicate holds. `all`: to every route whose predicate holds.',
    default: 'first',
  }),
  default: field.string({
    doc: 'Named output for records that match no route (a route name or a new one). Absent: they go to the main output `<id>`.',
    pattern: OUTPUT_NAME,
    optional: true,
  }),
});

export type RouteConfig = Infer<typeof routeSpec>;

/** Every named output: the routes in order, then the default when it is not a route. */
export function outputNames(config: RouteConfig): string[] {
  const names = Object.keys(config.routes);
  if (config.default !== undefined && !names.includes(config.default)) names.push(config.default);
  return names;
}
