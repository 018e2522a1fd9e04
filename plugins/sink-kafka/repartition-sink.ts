/**
 * The runtime-internal sink definition that ends a stage at a repartition topic (not a
 * plugin a pipeline can name: core/runtime/scale/stages.ts puts it where a `repartition`
 * operator was cut, through the `kafka` sink's `repartitionOutput`). Its config is a `kafka` sink config on the internal topic
 * (`exactly_once`), the key fields and the partition count; one transactional id per stage task,
 * shared by the stage's outputs.
 */
import { field, SluiceError } from '../../core/api/index.ts';
import type { FieldSpec, InternalBlock, RepartitionOutputOptions, SinkDefinition } from '../../core/api/index.ts';
import { connectionOf, toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { kafkaSinkWriter } from './fence.ts';
import { RepartitionOutput } from './repartition-output.ts';
import { transactionalIdOf } from './spec.ts';
import type { KafkaSinkConfig } from './spec.ts';

export interface RepartitionSinkConfig {
  readonly topic: KafkaSinkConfig;
  readonly key: readonly string[];
  readonly partitions: number;
  /** The stage's first repartition output: it commits the stage task's transaction (shared-output.ts). */
  readonly leader: boolean;
}

/** The transactional id of a stage task's repartition outputs: `sluice.<job>.repartition.<task id>`. */
const ID = 'repartition';

export const repartitionSinkDefinition: SinkDefinition<FieldSpec> = {
  kind: 'sink',
  name: 'repartition_output',
  summary: 'Writes a repartition topic exactly once, keyed, with in-band watermarks (runtime-internal).',
  spec: field.object({}),
  exactlyOnce: (ctx) => {
    const c = ctx.config as unknown as RepartitionSinkConfig;
    return c.leader ? kafkaSinkWriter({ ...ctx, id: ID, config: c.topic }) : undefined;
  },
  async create({ id, job, config, logger, codec, task }) {
    const c = config as unknown as RepartitionSinkConfig;
    if (!task) throw new SluiceError('E_TASKS', `repartition output '${id}' runs only in a job run as tasks`);
    const connection = await toConnection(c.topic, `sluice-${job}-${id}`);
    return new RepartitionOutput({
      config: c.topic, client: await loadKafkajsClient(connection, logger), codec, transactionalId: transactionalIdOf(job, ID, task),
      leader: c.leader, key: c.key, partitions: c.partitions, task: task.index, logger,
    });
  },
};

/** The `kafka` sink's `repartitionOutput`: the block writing a repartition topic on `cluster` (a `kafka` source's config: its connection fields are a sink's). */
export function repartitionOutput({ cluster, topic, key, partitions, leader }: RepartitionOutputOptions): InternalBlock<SinkDefinition> {
  const config: RepartitionSinkConfig = {
    topic: {
      ...connectionOf(cluster as KafkaSinkConfig), topic, acks: 'all', idempotent: true, compression: 'none', batch_size: 10_000, ack_timeout: 30_000,
      // A transaction spans a checkpoint interval, and declined checkpoints extend it: under load
      // (first-stage checkpoints paused for up to a minute were seen) 2 min let the broker abort
      // live transactions. A killed owner's is fenced by the next one, not left to time out.
      exactly_once: true, transaction_timeout: 600_000, max_held_bytes: 16_777_216, change_field: 'op',
    },
    key, partitions, leader,
  };
  return { plugin: repartitionSinkDefinition, config };
}
