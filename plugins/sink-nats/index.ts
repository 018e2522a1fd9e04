/** `nats`: publishes one message per record to NATS or JetStream, with headers and `Nats-Msg-Id`. */
import type { NatsConnection } from '@nats-io/transport-node';
import { definePlugin } from '../../core/api/index.ts';
import { closeNats, connectNats } from '../../lib/nats-client/index.ts';
import { MessageBuilder } from './messages.ts';
import type { NatsPublisher } from './publisher.ts';
import { NatsSink } from './sink.ts';
import { checkNatsSink, natsSinkSpec } from './spec.ts';

export const natsSinkPlugin = definePlugin({
  kind: 'sink',
  name: 'nats',
  summary: 'Publishes each record as a NATS message (JetStream with acks, or core NATS), with headers and a de-duplicating Nats-Msg-Id.',
  description: [
    'Each record is encoded by the block\'s `codec` (one payload per record) and published to its `subject` (a `{field}` template or a CEL `subject_expr`),',
    'with the `headers` templates, `Nats-Msg-Id` from `msg_id`, and the W3C `traceparent` of the active trace when there is one.',
    'A batch is published at once and its acks awaited together.',
    '**Guarantee**: with `jetstream: true`, at least once; a deterministic `msg_id` (row key and version) makes the stream drop replays after a restart within its duplicate window, so the stream holds each record once.',
    'With `jetstream: false`, at most once as far as NATS goes (a flush confirms the server received the batch; subscribers that are away miss it).',
    'A lost connection, a timeout or no stream answering is retried (`E_SINK_TRANSIENT`); a message the stream refuses (a 4xx), a subject or header that cannot be made from a record, is dead-lettered.',
  ].join(' '),
  spec: natsSinkSpec,
  check: checkNatsSink,
  create({ config, input, codec, expressions, job, id }) {
    const encodeOptions = input.changelog.mode === 'upsert' ? { changeField: config.change_field } : {};
    const builder = new MessageBuilder(config, codec, encodeOptions, (src) => expressions.compile(src, 'record'));
    const connect = async () => {
      const nc: NatsConnection = await connectNats(config, `sluice ${job}/${id}`);
      // Loaded on connect, not at the top: lint and docs import this module without connecting.
      const [{ Kvm }, { NatsPublisher }] = await Promise.all([import('@nats-io/kv'), import('./publisher.ts')]);
      if (config.create_kv_bucket !== undefined) {
        try {
          await new Kvm(nc).create(config.create_kv_bucket);
        } catch (error) {
          await closeNats(nc);
          throw error;
        }
      }
      const publisher = new NatsPublisher(nc, config.jetstream, config.ack_timeout);
      return {
        publishBatch: (m: Parameters<NatsPublisher['publishBatch']>[0]) => publisher.publishBatch(m),
        close: async () => {
          await publisher.close();
          await closeNats(nc);
        },
      };
    };
    return new NatsSink(builder, connect, `nats sink '${id}'`);
  },
});
