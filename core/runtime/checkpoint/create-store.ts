/**
 * The job's checkpoint store from the runtime config: `checkpoint.store` names a
 * `checkpoint_store` plugin, found among the built-ins like any other plugin and created
 * with its section of the config (`checkpoint.<store>`, e.g. `checkpoint.hbase`), or an empty
 * config (its spec's defaults) when there is none. The embedded default, `folder`, keeps
 * checkpoints in `<job.state_dir>/checkpoints/<job>` unless its section names a `path`.
 */
import { join } from 'node:path';
import { SluiceError } from '../../api/index.ts';
import type { CheckpointStore, CheckpointStoreDefinition, Logger, TaskSlice } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';

/** The store namespace of one task's checkpoints: `<job>.task-<index>`, beside the job's own. */
export function taskStoreName(job: string, task: TaskSlice): string {
  return `${job}.${task.id}`;
}

export async function createCheckpointStore(config: RuntimeConfig, job: string, logger: Logger): Promise<CheckpointStore> {
  const name = config.checkpoint.store;
  const { builtinPlugin } = await import('../plugins/index.ts');
  const definition = (await builtinPlugin('checkpoint_store', name)) as CheckpointStoreDefinition | undefined;
  if (!definition) throw new SluiceError('E_UNKNOWN_PLUGIN', `no checkpoint_store plugin named '${name}' (checkpoint.store)`);
  const options = (config.checkpoint as unknown as Record<string, unknown>)[name];
  const section = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
  const storeConfig = name === 'folder' && section['path'] === undefined ? { ...section, path: join(config.job.state_dir, 'checkpoints', job) } : section;
  return definition.create({ id: 'checkpoint_store', config: storeConfig, deps: {}, logger, job });
}
