/** `nats_kv`: a NATS key-value bucket as a broadcast side input (experiment metadata). */
import { definePlugin } from '../../core/api/index.ts';
import { natsKvSourceSpec } from './spec.ts';

export const natsKvSourcePlugin = definePlugin({
  kind: 'source',
  name: 'nats_kv',
  summary: 'Watches a NATS key-value bucket: the current value of each key, then every update, one JSON record each.',
  description: [
    'Meant as a broadcast side input (experiment metadata feeding `broadcast`): updates reach the running job as they are put.',
    'Each value is decoded by the block\'s `codec` (JSON objects by default); deletes and purges are not emitted.',
    'Event time: the `event_time.field` of the value, else the time of the update. One partition, named after the bucket, declared up front so it starts idle (it does not hold the watermark before it produces;',
    'give `event_time.idle_timeout` when it feeds a non-broadcast input, since metadata is quiet most of the time). The source never ends.',
    '`_meta` is `{key, revision}`; the offset is the revision.',
    '**Position and restore**: the position is the last revision returned. A fresh start delivers the current value of every key, then updates.',
    'A restore delivers every update after the checkpointed revision and not the values before it: those are in the consuming operator\'s checkpointed state',
    '(the broadcast operator snapshots its side entries), which is what Flink\'s broadcast state expects. A consumer that keeps no state of its own should not restore this source from a checkpoint.',
  ].join(' '),
  spec: natsKvSourceSpec,
  async create({ config, job, id }) {
    // Loaded here, not at the top: lint and docs import this module without connecting.
    const { NatsKvSource } = await import('./source.ts');
    return new NatsKvSource(config, `sluice ${job}/${id}`);
  },
});
