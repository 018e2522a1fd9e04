import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

export const stdoutSinkSpec = field.object({
  change_field: field.string({
    doc: 'For an upsert input, the field that carries each record\'s change kind, written first: `{"op":"update",...row}`.',
    default: 'op',
    minLength: 1,
  }),
});

export type StdoutSinkConfig = Infer<typeof stdoutSinkSpec>;
