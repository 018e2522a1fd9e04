import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

const FIELD_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export const mapSpec = field.object({
  set: field.map(field.expr({ doc: 'CEL over the input record; its value becomes the field.', returns: 'any' }), {
    doc: 'Fields to add or overwrite, name → CEL. Every expression sees the input record (not the other new fields). The other fields are kept.',
    example: { total: 'amount * 1.2', day: 'ts / 86400000' },
    keyPattern: FIELD_NAME,
    optional: true,
  }),
  drop: field.array(field.string({ doc: 'A top-level field name.' }), {
    doc: 'Fields to remove from the record (after `set` is evaluated, so `set` may read them).',
    example: ['debug', 'raw'],
    optional: true,
  }),
  project: field.map(field.expr({ doc: 'CEL over the input record; its value becomes the field.', returns: 'any' }), {
    doc: 'The output record is exactly these fields, name → CEL (a bare field name copies it). Instead of `set` and `drop`.',
    example: { user_id: 'user_id', amount_cents: 'int(amount * 100.0)' },
    keyPattern: FIELD_NAME,
    optional: true,
  }),
});

export type MapConfig = Infer<typeof mapSpec>;
