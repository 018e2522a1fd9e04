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
  before_first: field.enum(['wait', 'earliest'] as const, {
    doc: 'A main record older than the first known version of its entry: `wait` for an earlier version (up to `max_wait`), or take the `earliest` version — for side records that carry their whole history (experiment metadata with every ramp), and for a side input that holds only the latest version (a key-value bucket).',
    default: 'wait',
  }),
  wait_for_side: field.boolean({
    doc: 'Until the side input has delivered its first records, a record whose entry is unknown waits however far the watermark goes (and holds it), so a side input that starts slower than the main one (a key-value bucket read at start-up) does not dead-letter the records it was about to describe. Afterwards `max_wait` applies as usual.',
    default: false,
  }),
  thing: field.string({ doc: 'What the side input describes, for the dead-letter reason `unknown_<thing>`.', default: 'metadata', pattern: '^[a-z][a-z0-9_]*$' }),
  as: field.string({ doc: 'Output field holding the side entry; default `thing`.', optional: true }),
});
