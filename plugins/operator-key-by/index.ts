/** `key_by`: declares the key of a stream; records pass through unchanged. */
import { definePlugin } from '../../core/api/index.ts';
import { checkKeyFields, keyFields, planKeyed, rekey } from '../../lib/key-fields/key-fields.ts';
import { keyBySpec } from './spec.ts';

export const keyByPlugin = definePlugin({
  kind: 'operator',
  name: 'key_by',
  summary: 'Keys a stream by one or more fields; records pass through unchanged.',
  description: [
    'Sets the key of the output stream (`StreamInfo.key`), which keyed operators downstream (`dedupe`, `window_aggregate`, `keyed_process`, …) group by; like Flink\'s `keyBy`, inside one process it is a local re-key, not a network shuffle.',
    'Records, event times, change kinds and provenance pass through unchanged.',
    'A record without a value for a key field is dead-lettered here with reason `missing_key`, so the error names this block.',
    'An upsert input keeps its upsert key.',
  ].join(' '),
  spec: keyBySpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check: (config) => checkKeyFields(keyFields(config.key)),
  plan: (config, [input]) => planKeyed(keyFields(config.key), input!),
  create: ({ config }) => rekey(keyFields(config.key)),
});
