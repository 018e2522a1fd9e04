/** `folder`: the checkpoint store of the embedded default, one sub-folder per checkpoint. */
import { join } from 'node:path';
import { definePlugin } from '../../core/api/index.ts';
import { folderStoreSpec } from './spec.ts';
import { FolderCheckpointStore } from './folder-store.ts';

export { FolderCheckpointStore } from './folder-store.ts';

export const folderCheckpointStorePlugin = definePlugin({
  kind: 'checkpoint_store',
  name: 'folder',
  summary: 'Keeps checkpoints in a local folder: chunks as files, manifests published by an atomic rename.',
  description: [
    'Each checkpoint is a sub-folder named by its id (`000000000042/`) holding its chunks as files',
    'and, once complete, `manifest.json`. The manifest is written to a temporary file, flushed',
    '(fsync) and renamed into place, so a crash leaves either a complete checkpoint or none.',
    'Pruning keeps the `retain` newest complete checkpoints, and every savepoint until `sluice savepoint delete`.',
  ].join('\n'),
  spec: folderStoreSpec,
  create({ config, job }) {
    return new FolderCheckpointStore(config.path ?? join('.sluice', 'checkpoints', job), { fsync: config.fsync });
  },
});
