import { field } from '../../core/api/index.ts';

export const broadcastSpec = field.object({
  key: field.string({ doc: 'Field of the main records naming their side entry (e.g. the experiment id).', example: 'experiment_id' }),
  side_key: field.string({ doc: 'Field of the side records holding the entry\'s key; default `key`.', optional: true }),
  effective_from: field.string({
    doc: 'Field of the side records with the time the entry is effective from (epoch ms or ISO-8601); default the side record\'s event time.',
    optional: true,
    example: 'effective_from',
  }),
  max_wait: field.duration({
    doc: 'How long (event time) a main record whose entry is unknown waits for it; once the watermark reaches ts + max_wait it is dead-lettered with reason `unknown_<thing>`.',
    default: '0s',
    min: 0,
  }),
  thing: field.string({ doc: 'What the side input describes, for the dead-letter reason `unknown_<thing>`.', default: 'metadata', pattern: '^[a-z][a-z0-9_]*$' }),
  as: field.string({ doc: 'Output field holding the side entry; default `thing`.', optional: true }),
});
