import { field } from '../../core/api/index.ts';
import type { ConfigIssue, Infer, TaskSlice } from '../../core/api/index.ts';
import { connectionFields, createTopicsSpec } from '../../lib/kafka-client/connection-spec.ts';

/** `kafka` sink config. */
export const kafkaSinkSpec = field.object({
  ...connectionFields,
  topic: field.string({ doc: 'Topic to write to.', example: 'activations', pattern: '^[A-Za-z0-9._-]{1,249}$' }),
  key: field.string({
    doc: 'Message key template: `{field}`, `{a.b}`, `{<CEL expression>}` and literal text (`{{`/`}}` for braces). The key picks the partition (murmur2, as the Java client); absent: no key. A record whose key cannot be rendered is dead-lettered.',
    example: '{user_id}',
    optional: true,
    minLength: 1,
  }),
  headers: field.map(field.string({ doc: 'A template, as for `key`.' }), {
    doc: 'Message headers: name → template. A W3C `traceparent` header is added from the active trace context when there is one.',
    example: { experiment: '{experiment_id}', origin: 'sluice' },
    optional: true,
  }),
  acks: field.enum(['all', 'leader', 'none'] as const, { doc: 'Acknowledgement a write waits for: every in-sync replica, the leader, or none.', default: 'all' }),
  idempotent: field.boolean({ doc: 'Idempotent producer: the broker drops duplicates of retried sends (needs `acks: all`).', default: true }),
  compression: field.enum(['none', 'gzip'] as const, { doc: 'Compression of produced batches.', default: 'none' }),
  create_topics: createTopicsSpec,
  batch_size: field.integer({ doc: 'Most messages per send (each send is cut into produce requests of at most 1,024 messages); a larger batch is sent as several sends in order.', default: 10_000, min: 1 }),
  ack_timeout: field.duration({ doc: 'Time the broker may take to acknowledge a produce request.', default: '30s', min: 1 }),
  exactly_once: field.boolean({
    doc: 'Write exactly once: the output of each checkpoint interval goes into one Kafka transaction, committed together with the sources\' consumer-group offsets after the checkpoint completes, so a `read_committed` consumer sees every record once, even across a crash. Needs sources that replay from their checkpointed positions, checkpoints, and consumers that read committed records; output is visible per checkpoint interval.',
    default: false,
  }),
  transaction_timeout: field.duration({
    doc: 'With `exactly_once`: how long the broker keeps a transaction open before aborting it; keep it above `checkpoint.interval` + `checkpoint.timeout` (the broker caps it at its `transaction.max.timeout.ms`, 15 min by default).',
    default: '2m',
    min: 1000,
  }),
  max_held_bytes: field.integer({
    doc: 'With `exactly_once`: bytes of output (approximately: values, keys and 64 per message) held in memory between a checkpoint\'s barrier and its transaction\'s commit (output after the barrier belongs to the next transaction); past it, the sink back-pressures until the commit.',
    default: 16_777_216,
    min: 1024,
  }),
  change_field: field.string({
    doc: 'For an upsert input, the field that carries each record\'s change kind (`insert`, `update`, `delete`), written first. Append-only inputs are written as they are.',
    default: 'op',
    minLength: 1,
  }),
});

export type KafkaSinkConfig = Infer<typeof kafkaSinkSpec>;

export function checkKafkaSink(config: KafkaSinkConfig): ConfigIssue[] {
  if (config.exactly_once && (!config.idempotent || config.acks !== 'all')) {
    return [{ path: ['exactly_once'], message: 'exactly once needs the idempotent producer with `acks: all`', severity: 'error' }];
  }
  if (config.idempotent && config.acks !== 'all') {
    return [{ path: ['acks'], message: 'an idempotent producer needs `acks: all` (or set `idempotent: false`)', severity: 'error' }];
  }
  return [];
}

/**
 * The transactional id of an exactly-once sink: stable across restarts, so a restart fences
 * the previous incarnation; one per task (`sluice.<job>.<sink>.<task id>`), so the tasks of
 * a job do not fence each other and a task's new owner fences its old one.
 */
export function transactionalIdOf(job: string, id: string, task?: TaskSlice): string {
  return task ? `sluice.${job}.${id}.${task.id}` : `sluice.${job}.${id}`;
}

export const ACKS = { all: -1, leader: 1, none: 0 } as const;
