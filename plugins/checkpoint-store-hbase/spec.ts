import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import { hbaseConnectionFields } from '../../lib/hbase-client/connection-spec.ts';

export const hbaseStoreSpec = field.object({
  ...hbaseConnectionFields,
  table: field.string({ doc: 'Table holding the checkpoints of every job (rows prefixed by the job name).', default: 'sluice_checkpoints', pattern: '^[A-Za-z0-9_.-]+$' }),
  cell_bytes: field.integer({ doc: 'Largest cell: a chunk is split into rows of at most this many bytes.', default: 1024 * 1024, min: 1024, max: 8 * 1024 * 1024 }),
});

export type HBaseStoreConfig = Infer<typeof hbaseStoreSpec>;

/**
 * The config with every default filled in. The runtime creates the job's checkpoint store
 * from `checkpoint.store` alone, with an empty config (core/runtime/checkpoint/create-store.ts),
 * so the defaults must hold without the spec's validator having run.
 */
export function withDefaults(config: Partial<HBaseStoreConfig>): HBaseStoreConfig {
  return {
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 8080,
    protocol: config.protocol ?? 'http',
    timeout: config.timeout ?? 30_000,
    create_table: config.create_table ?? true,
    table: config.table ?? 'sluice_checkpoints',
    cell_bytes: config.cell_bytes ?? 1024 * 1024,
  };
}
