import { field } from '../../core/api/index.ts';
import type { ConfigIssue, Infer } from '../../core/api/index.ts';
import { natsConnectionFields } from '../../lib/nats-client/index.ts';

const NAME = '^[A-Za-z0-9_-]+$';

export const jetStreamSourceSpec = field.object({
  ...natsConnectionFields,
  stream: field.string({ doc: 'The JetStream stream to read.', example: 'ORDERS', pattern: NAME }),
  subjects: field.array(field.string({ doc: 'A subject, wildcards allowed.' }), {
    doc: 'Subjects of the stream, used only when `create_stream` creates it.',
    optional: true,
    minItems: 1,
    example: ['orders.>'],
  }),
  create_stream: field.boolean({ doc: 'Create the stream (file storage, limits retention) with `subjects` when it does not exist.', default: false }),
  filter_subject: field.string({ doc: 'Read only messages of this subject (wildcards allowed); absent: the whole stream.', optional: true }),
  durable: field.string({
    doc: 'Name of a durable consumer that records progress: it is acked up to each completed checkpoint, and a fresh start (no checkpoint) resumes after its ack floor. Absent: an ephemeral consumer.',
    optional: true,
    pattern: NAME,
  }),
  start: field.enum(['all', 'new'], { doc: 'Where a fresh start (no checkpoint, no durable progress) begins: the stream\'s first message, or messages stored after the start.', default: 'all' }),
  max_wait: field.duration({ doc: 'How long one pull request waits on the server for messages before it ends; a new one is sent on the next poll.', default: '1s', min: 1 }),
  poll_wait: field.duration({ doc: 'Longest a poll waits for the first message before it returns none (checkpoints wait for a poll to return).', default: '50ms', min: 1 }),
  checkpoint_interval: field.duration({
    doc: 'The job\'s checkpoint interval (runtime config `checkpoint.interval`; a source cannot read it). With `durable`, sizes the ack wait to 3 × this plus 30 s, so messages are not redelivered between two checkpoints.',
    default: '10s',
    min: 1,
  }),
  max_ack_pending: field.integer({
    doc: 'With `durable`: most messages delivered and not yet acked. Should exceed the messages read per checkpoint interval; when reached the server pauses delivery until the next checkpoint acks.',
    default: 100_000,
    min: 1,
  }),
});

export type JetStreamSourceConfig = Infer<typeof jetStreamSourceSpec>;

export function checkJetStreamSource(config: JetStreamSourceConfig): ConfigIssue[] {
  if (config.create_stream && !config.subjects?.length) {
    return [{ path: ['subjects'], message: '`create_stream` needs `subjects`', severity: 'error' }];
  }
  return [];
}

/** Ack wait of the durable consumer: 3 checkpoint intervals plus a margin for a slow checkpoint. */
export function ackWaitMs(config: Pick<JetStreamSourceConfig, 'checkpoint_interval'>): number {
  return 3 * config.checkpoint_interval + 30_000;
}
