/** `kafka`: reads topics in a consumer group; offsets are committed when a checkpoint completes. */
import { definePlugin, services } from '../../core/api/index.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { kafkaGroupPositions } from './group-positions.ts';
import { checkKafkaSource, kafkaSourceSpec } from './spec.ts';
import { kafkaTasks } from './task-layout.ts';

export const kafkaSource = definePlugin({
  kind: 'source',
  name: 'kafka',
  summary: 'Reads Kafka topics in a consumer group; each partition is a source partition with its own watermark.',
  description: [
    'Each `<topic>:<partition>` is one partition of the source: watermarks and idleness are per partition, and assigned partitions start idle until they produce.',
    'Message values are payloads decoded by the block\'s `codec` (`json` by default): a value that does not decode is dead-lettered with its text and provenance (`partition: "<topic>:<partition>"`, `offset`).',
    'Event time comes from `event_time.field`, or, when it names no field, from the broker\'s record timestamp.',
    'With `meta: true` each record carries `_meta`: `{key, headers, topic, partition, offset, timestamp}` plus `traceparent` when the message has that W3C trace-context header.',
    '',
    'Positions and guarantees: the checkpoint holds the next offset per partition; a restore seeks there, so records after the checkpoint are read again (the checkpoint is authoritative).',
    'A fresh start resolves every partition\'s first offset (`start`) when it opens, so even a checkpoint taken before a partition returned anything says where it begins; a partition a restored checkpoint does not list (added to the topic since) begins at its earliest offset.',
    'Offsets are committed to the consumer group only when a checkpoint completes, as a hint for tools: the source never reads from them (another instance of it, a task\'s old owner, may have committed past the checkpoint being restored), and a fresh start refuses a group that has committed offsets (`E_STATE_WITHOUT_CHECKPOINT`, unless `--reset-state`).',
    'With a `kafka` sink writing `exactly_once`, the source commits nothing itself: the sink commits the group\'s offsets in the transaction of each checkpoint\'s output, and a restore takes the checkpoint whose positions equal the group\'s committed offsets.',
    '',
    'Back-pressure: the consumer fetches in the background into a buffer per partition; at `max_buffered` records the partition is paused (`sluice_kafka_consumer_paused` = 1) and it resumes once half is drained.',
    'While every partition is paused the consumer waits (keeping its group session) and fetches again the moment one resumes.',
    'The runtime stops polling while downstream is full, so a slow sink pauses the partitions. `sluice_kafka_consumer_lag` is the high watermark minus the next offset to return, per partition.',
    '',
    'Watermark alignment (`event_time.alignment`, see docs/pipelines.md): a partition whose watermark runs more than `max_drift` ahead of the group\'s minimum is paused in the consumer and its buffered records are held back until the minimum catches up (`sluice_alignment_paused_partitions` counts them; `sluice_kafka_consumer_paused` stays the buffer-full pause).',
    'The fetch hold counts partitions paused either way and ends at the first resume; it is never taken while a partition is free to fetch, empty or not.',
    '',
    'The input never ends; stop the job with a signal or `--events`. Messages with a null value (tombstones) are empty payloads, which the json codec dead-letters.',
    'Built on kafkajs behind the plugin\'s own client interface (lib/kafka-client).',
  ].join('\n'),
  spec: kafkaSourceSpec,
  check: checkKafkaSource,
  deps: { meter: services.meter },
  consumerGroup: (ctx) => kafkaGroupPositions(ctx),
  tasks: kafkaTasks,
  async create({ id, job, config, deps, logger, resetState, task }) {
    const connection = await toConnection(config, `sluice-${job}-${id}`);
    // Loaded here, not at the top: lint and docs import this module without connecting.
    const { KafkaSource } = await import('./kafka-source.ts');
    return new KafkaSource({ id, job, config, logger, meter: deps.meter, resetState: resetState ?? false, task, client: await loadKafkajsClient(connection, logger) });
  },
});
