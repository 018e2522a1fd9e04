/**
 * The runtime-internal source definition of a repartition topic (not a plugin a pipeline can
 * name: core/runtime/scale/stages.ts puts it where a `repartition` operator was cut, through
 * the `kafka` source's `tasks.repartitionInput`). Its config is a `kafka` source config on the
 * internal topic (the first `kafka` source's cluster and session timeout) plus the upstream
 * task count.
 */
import { field, services } from '../../core/api/index.ts';
import type { FieldSpec, InternalBlock, RepartitionInputOptions, SourceDefinition } from '../../core/api/index.ts';
import { connectionOf, toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { kafkaGroupPositions } from './group-positions.ts';
import { KafkaSource } from './kafka-source.ts';
import { offsetsOfPosition, RepartitionInput } from './repartition-input.ts';
import type { KafkaSourceConfig } from './spec.ts';

export interface RepartitionSourceConfig {
  readonly topic: KafkaSourceConfig;
  readonly upstreamTasks: number;
}

const deps = { meter: services.meter };

export const repartitionSourceDefinition: SourceDefinition<FieldSpec, typeof deps> = {
  kind: 'source',
  name: 'repartition_input',
  summary: 'Reads a repartition topic: partition p for task p, control records as watermarks (runtime-internal).',
  spec: field.object({}),
  deps,
  consumerGroup: (ctx) => {
    const inner = kafkaGroupPositions({ ...ctx, config: (ctx.config as unknown as RepartitionSourceConfig).topic });
    return { offsetsOf: (position) => inner.offsetsOf(offsetsOfPosition(position)), committed: () => inner.committed() };
  },
  async create({ id, job, config, deps: d, logger, resetState, task }) {
    const c = config as unknown as RepartitionSourceConfig;
    const connection = await toConnection(c.topic, `sluice-${job}-${id}`);
    const source = new KafkaSource({ id, job, config: c.topic, logger, meter: d.meter, resetState: resetState ?? false, task, client: await loadKafkajsClient(connection, logger) });
    return new RepartitionInput(source, c.upstreamTasks);
  },
};

/** The block reading a repartition topic on the cluster of `cluster` (the first `kafka` source's config). */
export function repartitionInput({ cluster, topic, upstreamTasks }: RepartitionInputOptions): InternalBlock<SourceDefinition> {
  const first = cluster as KafkaSourceConfig;
  const config: RepartitionSourceConfig = {
    topic: {
      ...connectionOf(first), topic, start: 'earliest', max_buffered: 10_000, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
      session_timeout: first.session_timeout, join_timeout: 60_000, meta: false,
    },
    upstreamTasks,
  };
  return { plugin: repartitionSourceDefinition as unknown as SourceDefinition, config };
}
