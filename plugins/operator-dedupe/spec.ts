import { field } from '../../core/api/index.ts';

export const dedupeSpec = field.object({
  id_field: field.string({
    doc: 'Field holding a unique event id. A record that has it (not null) is deduplicated on it alone.',
    default: 'event_id',
  }),
  fields: field.array(field.string({ doc: 'A field name; dotted paths reach into nested objects.' }), {
    doc: 'Fields that identify a record when it has no id field. A record with neither is dead-lettered with reason `missing_key`.',
    optional: true,
    minItems: 1,
    example: ['user_id', 'action', 'ts'],
  }),
  out_of_orderness: field.duration({
    doc: "How far out of order duplicates may arrive, usually the source's `max_out_of_orderness`; part of the default TTL.",
    default: '0s',
    min: 0,
  }),
  allowed_lateness: field.duration({
    doc: 'Records with event time < watermark − allowed_lateness go to the late output (reason `dedupe_late`); part of the default TTL.',
    default: '0s',
    min: 0,
  }),
  ttl: field.duration({
    doc: 'How long (event time) a seen id is remembered after the largest event time it was seen with. Default out_of_orderness + allowed_lateness.',
    optional: true,
    min: 0,
  }),
});
