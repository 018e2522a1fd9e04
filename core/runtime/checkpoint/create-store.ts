/**
 * The job's checkpoint store from the runtime config: `checkpoint.store` names a
 * `checkpoint_store` plugin. `folder` (the embedded default, plugins/checkpoint-store-folder)
 * keeps checkpoints in `<job.state_dir>/checkpoints/<job>`; another store is looked up among
 * the loaded plugins and created with its section of the config (`checkpoint.<store>`, e.g.
 * `checkpoint.hbase`), or an empty config (its spec's defaults) when there is none.
 */
import { join } from 'node:path';
import { SluiceError } from '../../api/index.ts';
import type { CheckpointStore, CheckpointStoreDefinition, Logger, TaskSlice } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import { FolderCheckpointStore } from '../../../plugins/checkpoint-store-folder/folder-store.ts';

/** The store namespace of one task's checkpoints: `<job>.task-<index>`, beside the job's own. */
export function taskStoreName(job: string, task: TaskSlice): string {
  return `${job}.${task.id}`;
}

export async function createCheckpointStore(config: RuntimeConfig, job: string, logger: Logger): Promise<CheckpointStore> {
  const name = config.checkpoint.store;
  if (name === 'folder') return new FolderCheckpointStore(join(config.job.state_dir, 'checkpoints', job));
  const { builtinRegistry } = await import('../plugins/index.ts');
  const definition = (await builtinRegistry()).get('checkpoint_store', name) as CheckpointStoreDefinition | undefined;
  if (!definition) throw new SluiceError('E_UNKNOWN_PLUGIN', `no checkpoint_store plugin named '${name}' (checkpoint.store)`);
  const options = (config.checkpoint as unknown as Record<string, unknown>)[name];
  const storeConfig = options !== null && typeof options === 'object' ? options : {};
  return definition.create({ id: 'checkpoint_store', config: storeConfig, deps: {}, logger, job });
}
