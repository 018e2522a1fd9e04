/**
 * The runtime-internal source definition of a repartition topic (not a plugin a pipeline can
 * name: core/runtime/scale/stages.ts puts it where a `repartition` operator was cut). Its
 * config is a `kafka` source config on the internal topic plus the upstream task count.
 */
import { field, services } from '../../core/api/index.ts';
import type { FieldSpec, SourceDefinition } from '../../core/api/index.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { createKafkajsClient } from '../../lib/kafka-client/kafkajs-client.ts';
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
    const source = new KafkaSource({ id, job, config: c.topic, logger, meter: d.meter, resetState: resetState ?? false, task, client: createKafkajsClient(connection, logger) });
    return new RepartitionInput(source, c.upstreamTasks);
  },
};
