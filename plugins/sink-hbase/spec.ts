import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import { hbaseConnectionFields } from '../../lib/hbase-client/connection-spec.ts';

const IDENT = '^[A-Za-z_][A-Za-z0-9_]*$';

/** `hbase`: the `embedded_store` config shape (minus `path`) plus the REST connection. */
export const hbaseSinkSpec = field.object({
  ...hbaseConnectionFields,
  table: field.string({ doc: 'HBase table.', example: 'experiment_counts', pattern: '^[A-Za-z0-9_.-]+$' }),
  family: field.string({ doc: 'Column family of every qualifier.', default: 'c', pattern: IDENT }),
  row_key: field.string({
    doc: 'Row-key template: `{field}`, `{field:N}` (zero-padded to N), `{<CEL expression>}`; `{{`/`}}` for braces.',
    example: '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}',
    minLength: 1,
  }),
  columns: field.map(field.string({ doc: 'A field path or a CEL expression over the record.', minLength: 1 }), {
    doc: 'Qualifier → the record field (or CEL expression) it holds. Values are written as UTF-8 text (numbers in decimal); null writes an empty cell, so an update that clears a column hides its older value.',
    example: { volume: 'volume', propensity: 'propensity' },
    keyPattern: IDENT,
  }),
  version_qualifier: field.string({ doc: 'Also write the cell version (the cells\' timestamp) under this qualifier, e.g. `version`.', optional: true, pattern: IDENT }),
  flush_rows: field.integer({ doc: 'Distinct buffered rows that trigger a flush.', default: 10_000, min: 1 }),
  flush_interval: field.duration({ doc: 'Flush at least this often (processing time) while records arrive.', default: '1s', min: 0 }),
  put_rows: field.integer({ doc: 'Rows per multi-row put request.', default: 1_000, min: 1 }),
  max_in_flight: field.integer({ doc: 'Put requests sent at once (across flushes).', default: 2, min: 1, max: 64 }),
});

export type HBaseSinkConfig = Infer<typeof hbaseSinkSpec>;
