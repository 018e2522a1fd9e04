/** `hbase` checkpoint store: checkpoints in an HBase table, manifests published by a checked put. */
import { definePlugin } from '../../core/api/index.ts';
import { restOptions } from '../../lib/hbase-client/connection-spec.ts';
import { createRestClient } from '../../lib/hbase-client/rest-client.ts';
import { HBaseCheckpointStore } from './hbase-store.ts';
import { hbaseStoreSpec, withDefaults } from './spec.ts';

export { HBaseCheckpointStore } from './hbase-store.ts';

export const hbaseCheckpointStorePlugin = definePlugin({
  kind: 'checkpoint_store',
  name: 'hbase',
  summary: 'Keeps checkpoints in an HBase table: chunks in rows of at most 1 MB, the manifest written last with a checked put.',
  description: [
    'The production checkpoint store (`checkpoint.store: hbase`). One table holds every job\'s checkpoints,',
    'rows keyed `{job}|{id:10}|…`: chunk rows `chunk|{name}|{part:6}` (family `d`, at most `cell_bytes`',
    'each) and, once the checkpoint is complete, the manifest row `manifest` (family `m`).',
    'The manifest is written after every chunk, with a checked put that requires it not to exist: HBase',
    'applies it atomically, so a torn checkpoint (chunks without a manifest) is never listed as complete,',
    'and a second writer of the same checkpoint is refused. Pruning keeps the `retain` newest complete',
    'checkpoints and deletes every row of older ones, but never a savepoint\'s (kept until `sluice savepoint delete`).',
  ].join('\n'),
  spec: hbaseStoreSpec,
  create({ config: raw, job }) {
    const config = withDefaults(raw);
    return new HBaseCheckpointStore(createRestClient(restOptions(config)), { table: config.table, job, cellBytes: config.cell_bytes, createTable: config.create_table });
  },
});
