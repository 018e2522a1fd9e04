import { field } from '../../core/api/index.ts';
import type { ConfigIssue, Infer, TaskSlice } from '../../core/api/index.ts';
import { connectionFields, createTopicsSpec } from '../../lib/kafka-client/connection-spec.ts';

const TOPIC = '^[A-Za-z0-9._-]{1,249}$';

/** `kafka` source config. */
export const kafkaSourceSpec = field.object({
  ...connectionFields,
  topic: field.string({ doc: 'Topic to read; or give `topics`.', example: 'activations', pattern: TOPIC, optional: true }),
  topics: field.array(field.string({ doc: 'A topic.', pattern: TOPIC }), { doc: 'Topics to read, all into the one output; or give `topic`.', optional: true, minItems: 1 }),
  group_id: field.string({ doc: 'Consumer group; default `sluice.<job>.<block id>`. Offsets are committed to it only when a checkpoint completes.', optional: true, minLength: 1 }),
  start: field.enum(['earliest', 'latest'] as const, {
    doc: 'Where a partition starts when there is no checkpoint and the group has no committed offset for it.',
    default: 'earliest',
  }),
  create_topics: createTopicsSpec,
  max_buffered: field.integer({
    doc: 'Records fetched and held per partition before the partition is paused; it resumes when half of them are drained. Bounds memory when downstream is slower.',
    default: 10_000,
    min: 1,
  }),
  max_bytes_per_partition: field.integer({ doc: 'Most bytes one fetch takes from one partition.', default: 1_048_576, min: 1024 }),
  max_bytes: field.integer({ doc: 'Most bytes one fetch request takes, all partitions together.', default: 10_485_760, min: 1024 }),
  session_timeout: field.duration({ doc: 'Group session timeout: a member silent this long is removed from the group. A task of a job run as tasks (`job.tasks`) keeps it no longer than `job.task_session_timeout`.', default: '30s', min: 1000 }),
  join_timeout: field.duration({ doc: 'The source fails to open (and the job restarts) when it has not joined its consumer group after this long.', default: '1m', min: 1000 }),
  meta: field.boolean({
    doc: 'Expose `_meta` on each record: `{key, headers, topic, partition, offset, timestamp, traceparent?}`. Turn off to save a per-record object when no operator reads it.',
    default: true,
  }),
});

export type KafkaSourceConfig = Infer<typeof kafkaSourceSpec>;

export function checkKafkaSource(config: KafkaSourceConfig): ConfigIssue[] {
  if ((config.topic === undefined) === (config.topics === undefined)) {
    return [{ path: ['topic'], message: 'give exactly one of `topic` and `topics`', severity: 'error' }];
  }
  return [];
}

/** The topics to read. */
export function sourceTopics(config: KafkaSourceConfig): string[] {
  return config.topics ? [...new Set(config.topics)] : [config.topic!];
}

/** The consumer group: `group_id`, else `sluice.<job>.<block id>`. */
export function groupIdOf(config: KafkaSourceConfig, job: string, id: string, task?: TaskSlice): string {
  const base = config.group_id ?? `sluice.${job}.${id}`;
  return task ? `${base}.${task.id}` : base;
}
