import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

const IDENT = '^[A-Za-z_][A-Za-z0-9_]*$';

/** `embedded_store`: an HBase-shaped table in an embedded SQLite file. */
export const embeddedStoreSpec = field.object({
  path: field.string({ path: true, doc: 'SQLite database file; created with its folder if missing.', example: '.sluice/runs/latest/results.sqlite', minLength: 1 }),
  table: field.string({ doc: 'Table name (the HBase table it mirrors).', example: 'experiment_counts', pattern: IDENT }),
  family: field.string({ doc: 'HBase column family the qualifiers belong to; recorded in the `_sluice_columns` table.', default: 'c', pattern: IDENT }),
  row_key: field.string({
    doc: 'Row-key template: `{field}`, `{field:N}` (zero-padded to N), `{<CEL expression>}`; `{{`/`}}` for braces.',
    example: '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}',
    minLength: 1,
  }),
  columns: field.map(field.string({ doc: 'A field path or a CEL expression over the record.', minLength: 1 }), {
    doc: 'Qualifier → the record field (or CEL expression) it holds. Values are stored as UTF-8 text (numbers in decimal); null leaves the cell empty.',
    example: { volume: 'volume', propensity: 'propensity' },
    keyPattern: IDENT,
  }),
  version_qualifier: field.string({
    doc: 'Also write the cell version (see `_version`) under this qualifier, e.g. `version`.',
    optional: true,
    pattern: IDENT,
  }),
  flush_rows: field.integer({ doc: 'Distinct buffered rows that trigger a flush (one transaction).', default: 20_000, min: 1 }),
  flush_interval: field.duration({ doc: 'Flush at least this often (processing time) while records arrive.', default: '1s', min: 0 }),
});

export type EmbeddedStoreConfig = Infer<typeof embeddedStoreSpec>;
