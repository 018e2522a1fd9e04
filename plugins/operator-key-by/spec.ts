import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

export const keyBySpec = field.object({
  key: field.union(
    [
      field.string({ doc: 'One field (a dotted path reaches into nested objects).', minLength: 1 }),
      field.array(field.string({ doc: 'A field.', minLength: 1 }), { doc: 'Several fields, in order.', minItems: 1 }),
    ],
    { doc: 'The field or fields the output stream is keyed by; keyed operators downstream group by them.', example: ['experiment_id', 'group'] },
  ),
});

export type KeyByConfig = Infer<typeof keyBySpec>;

export function keyFields(config: KeyByConfig): string[] {
  return typeof config.key === 'string' ? [config.key] : [...config.key];
}
