/** `kafka`: writes one message per record, keyed, with headers; at least once, or exactly once in Kafka transactions. */
import { definePlugin } from '../../core/api/index.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { kafkaSinkWriter } from './fence.ts';
import { repartitionOutput } from './repartition-sink.ts';
import { checkKafkaSink, kafkaSinkSpec, transactionalIdOf } from './spec.ts';
import { compileTemplate } from './template.ts';

export const kafkaSink = definePlugin({
  kind: 'sink',
  name: 'kafka',
  summary: 'Writes one Kafka message per record, keyed by a template, with headers and W3C trace context; at least once, or exactly once (`exactly_once`).',
  description: [
    'Each record is encoded by the block\'s `codec` (`json` by default; `raw` writes the `message` field as the bytes); a record that cannot be encoded, or whose key or a header cannot be rendered, is dead-lettered.',
    'A batch is sent in sends of at most `batch_size` messages, each cut into produce requests of at most 1,024 messages (kafkajs groups a request per partition in quadratic time), in order; the write completes when the broker acknowledged them (`acks`).',
    'The key picks the partition (murmur2, as the Java client), so records with one key stay in order in one partition.',
    '',
    'Guarantee: **at least once** by default. After a crash the job restores its last checkpoint and replays what followed, so those records are written again, with the same keys and values (keys are a pure function of the record): consumers dedupe on the key (or on `event_id`), or the topic is compacted.',
    'The idempotent producer (default) keeps the broker from writing a retried request twice within one producer session.',
    '',
    'With `exactly_once: true`: **exactly once** for consumers that read committed records (`isolation.level=read_committed`; kafkajs and Sluice\'s `kafka` source do by default), across any crash (`kill -9`) and restart.',
    'What the sink writes between two checkpoints goes into one Kafka transaction (transactional id `sluice.<job>.<sink id>`, so a restart fences the previous incarnation); when the checkpoint completes (its manifest is committed), the sources\' consumer-group offsets at the checkpoint join the transaction and it commits.',
    'The sources commit nothing themselves. Every transaction also commits a marker, the checkpoint\'s id as the offset of the group `<transactional id>.checkpoint` on partition 0 of the topic, so after fencing the previous incarnation (which aborts its open transaction) the restore takes the checkpoint whose transaction committed last — the one before the newest when the process died between the manifest and the commit — and replays from there (before markers: the newest checkpoint whose source positions equal the groups\' offsets).',
    'Sources without a consumer group (a NATS key-value bucket) restart from that checkpoint\'s positions like the others.',
    'Output after a barrier is held in memory (`max_held_bytes`, then back-pressure) until that checkpoint\'s transaction commits; a declined checkpoint folds into the next one.',
    'Costs and limits: output becomes visible once per checkpoint interval (`checkpoint.interval` is the end-to-end latency); sources must replay from their checkpointed positions (`kafka`, `file`, `nats_kv` do); one exactly-once sink per job, not as the late or dead-letter output; `checkpoint.retain` ≥ 2; `transaction_timeout` above `checkpoint.interval` + `checkpoint.timeout`.',
    'Output written after the last checkpoint of a stopped job (windows that a stop fires) is aborted: a restart resumes those windows from the checkpoint instead. Any send or commit error fails the job, which restarts from its last checkpoint.',
    '',
    'Errors: a broker or network failure (retriable) is retried by the runtime with back-off and jitter while the job back-pressures; authorization, an invalid topic or a record too large is permanent and the batch is dead-lettered.',
    'A W3C `traceparent` header is added from the active OpenTelemetry context when there is one. The sink can also be the pipeline\'s `dead_letter` or `late` output.',
  ].join('\n'),
  spec: kafkaSinkSpec,
  check: checkKafkaSink,
  exactlyOnce: (ctx) => kafkaSinkWriter(ctx),
  repartitionOutput,
  async create({ id, job, config, logger, codec, input, expressions, task }) {
    const key = config.key === undefined ? undefined : compileTemplate(config.key, 'key', expressions);
    const headers = Object.entries(config.headers ?? {}).map(([name, t]) => [name, compileTemplate(t, `header '${name}'`, expressions)] as const);
    const encodeOptions = input.changelog.mode === 'upsert' ? { changeField: config.change_field } : {};
    const connection = await toConnection(config, `sluice-${job}-${id}`);
    // Loaded here, not at the top: lint and docs import this module without connecting.
    const { KafkaSink } = await import('./kafka-sink.ts');
    return new KafkaSink({ id, config, codec, encodeOptions, key, headers, logger, client: await loadKafkajsClient(connection, logger), transactionalId: transactionalIdOf(job, id, task) });
  },
});
