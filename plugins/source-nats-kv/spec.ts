import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import { natsConnectionFields } from '../../lib/nats-client/index.ts';

export const natsKvSourceSpec = field.object({
  ...natsConnectionFields,
  bucket: field.string({ doc: 'The key-value bucket to watch.', example: 'experiments', pattern: '^[A-Za-z0-9_-]+$' }),
  keys: field.array(field.string({ doc: 'A key or a wildcard pattern (`exp.*`, `exp.>`).' }), {
    doc: 'Keys to watch; default all. One pattern is filtered by the server; several (nats-server 2.9 filters one) are filtered here.',
    default: ['>'],
    minItems: 1,
  }),
  create_bucket: field.boolean({ doc: 'Create the bucket (history 1, file storage) when it does not exist.', default: false }),
});

export type NatsKvSourceConfig = Infer<typeof natsKvSourceSpec>;
