/** `nats_jetstream`: reads a JetStream stream, resuming at the checkpointed stream sequence. */
import { definePlugin } from '../../core/api/index.ts';
import { checkJetStreamSource, jetStreamSourceSpec } from './spec.ts';

export const natsJetStreamSourcePlugin = definePlugin({
  kind: 'source',
  name: 'nats_jetstream',
  summary: 'Reads a NATS JetStream stream with a pull consumer; the checkpoint keeps the stream sequence.',
  description: [
    'One partition, named after the stream. Each message is a payload for the block\'s `codec`; its event time, when `event_time` names no field, is the time the stream stored it;',
    'its offset is the stream sequence; `_meta` is `{subject, headers, stream_seq}`.',
    '**Delivery: the stream sequence is the checkpointed position.** On restore the source creates a consumer delivering from the sequence after the checkpoint,',
    'so exactly the messages the checkpoint did not cover are read again (at least once end to end; effectively once with an idempotent sink or `Nats-Msg-Id` downstream).',
    'A restart does not wait for any ack timer, and nothing is redelivered while the job runs.',
    'The trade-off: the stream must still hold the messages after the last checkpoint (limits retention with enough `max_age`/`max_msgs`);',
    'with work-queue or interest retention, which delete acked messages, use `durable`, whose acks come only after a checkpoint covers them.',
    'The alternative, acking each message after its checkpoint and letting the server redeliver, would make restarts wait for the ack wait and tie throughput to `max_ack_pending`.',
    'With `durable`, the consumer (ack policy all) is acked up to each completed checkpoint, so `nats consumer info` shows progress and a fresh start (no checkpoint) resumes after its ack floor;',
    'its ack wait is sized from `checkpoint_interval` (3 × interval + 30 s) and `max_ack_pending` should exceed what one interval reads.',
    'Back-pressure: a pull request (at most one poll\'s records) is sent only when the runtime polls and the buffer is empty.',
    'The source is unbounded (it never ends); use `maxEvents`/a stop to end a run.',
  ].join(' '),
  spec: jetStreamSourceSpec,
  check: checkJetStreamSource,
  async create({ config, job, id }) {
    // Loaded here, not at the top: lint and docs import this module without connecting.
    const { JetStreamSource } = await import('./source.ts');
    return new JetStreamSource(config, `sluice ${job}/${id}`);
  },
});
