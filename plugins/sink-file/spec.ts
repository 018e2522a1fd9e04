import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

export const fileSinkSpec = field.object({
  path: field.string({ path: true, doc: 'File to write; its folder is created. A fresh start (no checkpoint) overwrites it (a task of a job run as tasks renames it to `<path>.superseded-<n>` instead).', example: 'out/results.jsonl', minLength: 1 }),
  change_field: field.string({
    doc: 'For an upsert input, the field that carries each record\'s change kind (`insert`, `update`, `delete`), written first: `{"op":"update",...row}`. Append-only inputs are written as they are.',
    default: 'op',
    minLength: 1,
  }),
  envelope: field.enum(['none', 'provenance'] as const, {
    doc: 'With `provenance`, each line is `{"provenance": {...}, "record": {...}}`: the record with where it came from (source, output, partition, offset or line). Used to archive a source output as admitted, for batch validation. Codec json only.',
    default: 'none',
  }),
});

export type FileSinkConfig = Infer<typeof fileSinkSpec>;
