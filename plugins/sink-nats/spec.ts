import { field } from '../../core/api/index.ts';
import type { ConfigIssue, Infer } from '../../core/api/index.ts';
import { natsConnectionFields, parseTemplate } from '../../lib/nats-client/index.ts';

export const natsSinkSpec = field.object({
  ...natsConnectionFields,
  subject: field.string({
    doc: 'Subject of each message, a template: `{field}` (dotted paths allowed) is replaced by the record\'s value; `{{`/`}}` are braces. Give this or `subject_expr`.',
    optional: true,
    example: 'alerts.{experiment_id}',
  }),
  subject_expr: field.expr({ doc: 'Subject of each message as a CEL expression returning a string. Give this or `subject`.', optional: true, returns: 'any' }),
  jetstream: field.boolean({
    doc: 'true: publish to the JetStream stream that captures the subject and await its acks (at least once; `msg_id` de-duplicates replays). false: core NATS, fire and forget after a flush.',
    default: true,
  }),
  headers: field.map(field.string({ doc: 'A header value template.' }), {
    doc: 'Headers of each message: name → value template (`{field}` as in `subject`).',
    optional: true,
    example: { 'Experiment-Id': '{experiment_id}' },
  }),
  msg_id: field.string({
    doc: 'Template of the `Nats-Msg-Id` header. Make it deterministic (a row key and version) so a replay after a restart is dropped by the stream within its duplicate window (default 2 min).',
    optional: true,
    example: '{alert_id}',
  }),
  ack_timeout: field.duration({ doc: 'How long a batch waits for all its acks (or, for core NATS, the flush) before it is retried.', default: '5s', min: 1 }),
  create_kv_bucket: field.string({
    doc: 'A key-value bucket to create (history 1, file storage) at open when it does not exist. A KV put is a JetStream publish to `$KV.<bucket>.<key>`, so `subject: "$KV.experiments.{experiment_id}"` writes each record as the value of its key.',
    optional: true,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'experiments',
  }),
  change_field: field.string({ doc: 'For an upsert input, the field of the written object that carries each record\'s change kind.', default: 'op', minLength: 1 }),
});

export type NatsSinkConfig = Infer<typeof natsSinkSpec>;

export function checkNatsSink(config: NatsSinkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if ((config.subject === undefined) === (config.subject_expr === undefined)) {
    issues.push({ path: ['subject'], message: 'give exactly one of `subject` and `subject_expr`', severity: 'error' });
  }
  const templates: [readonly (string | number)[], string | undefined][] = [
    [['subject'], config.subject],
    [['msg_id'], config.msg_id],
    ...Object.entries(config.headers ?? {}).map(([k, v]) => [['headers', k], v] as [string[], string]),
  ];
  for (const [path, text] of templates) {
    if (text === undefined) continue;
    try {
      parseTemplate(text);
    } catch (error) {
      issues.push({ path, message: (error as Error).message, severity: 'error' });
    }
  }
  for (const name of Object.keys(config.headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(name)) issues.push({ path: ['headers', name], message: `'${name}' is not a valid header name`, severity: 'error' });
  }
  return issues;
}
