/**
 * `repartition`: the stage boundary of a job run as tasks (docs/architecture.md §5). In one
 * process it is `key_by` (a local re-key: records pass through unchanged); with
 * `job.tasks: true` the runtime cuts the pipeline here (core/runtime/scale/stages.ts): the
 * upstream stage writes the records to the internal topic `sluice.<job>.<id>.repartition`,
 * keyed by `key`, and the downstream stage's tasks read it, partition p each.
 */
import { definePlugin } from '../../core/api/index.ts';
import { checkKeyFields, keyFields, planKeyed, rekey } from '../../lib/key-fields/key-fields.ts';
import { repartitionKey, repartitionSpec } from './spec.ts';

export const repartitionPlugin = definePlugin({
  kind: 'operator',
  name: 'repartition',
  summary: 'Re-keys a stream; in a job run as tasks, the stage boundary: records cross an internal Kafka topic keyed by the new key.',
  description: [
    'Like Kafka Streams\' `repartition()` or Flink\'s `keyBy` across the network.',
    'In a whole-job run (one process, no `job.tasks`) it is the identity with a new key, exactly as `key_by`: records, event times, change kinds and provenance pass through unchanged, and a record without a value for a key field is dead-lettered with reason `missing_key`.',
    '',
    'With `job.tasks: true` the pipeline is cut here into stages, each run as one engine instance per task (partition index p). The upstream stage ends in a runtime-internal output that writes each record to the internal topic `sluice.<job>.<id>.repartition` (created at start with the job\'s partition count P; JSON values, the event time as the message timestamp), keyed by the key fields (murmur2 of the key, so a key group is a partition), exactly once: in Kafka transactions committed in step with the stage\'s checkpoints, together with the offsets of the stage\'s Kafka sources.',
    'The downstream stage\'s task p reads partition p of it (read_committed), under the block id, so the operators after this block are unchanged.',
    'Watermarks cross in-band: each upstream task writes a control record (its task index and watermark) to every partition of the topic whenever its watermark advances (at most once a second), at every checkpoint and at end of input; the downstream watermark of partition p is the minimum over the P upstream tasks\' latest watermarks, part of the checkpointed position. Control records are not data.',
    'A message of the topic that does not decode is dead-lettered once with its provenance (`partition: "<topic>:<p>"`, `offset`) and the job goes on.',
    'Only append-only streams can be cut. The internal topic is kept with the job (its checkpoints refer to its offsets); delete it with the Kafka admin tools when the job is retired (docs/cli.md, "Running a job as tasks").',
  ].join('\n'),
  spec: repartitionSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check: (config) => checkKeyFields(keyFields(config.key)),
  plan: (config, [input]) => planKeyed(repartitionKey(config), input!),
  create: ({ config }) => rekey(repartitionKey(config)),
});
