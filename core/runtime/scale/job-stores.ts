/**
 * What a command needs of a job run as tasks without running it: its layout (the task count,
 * the group that carries requests), its stages and every task's checkpoint store namespace
 * (`<job>.<task id>`), for `sluice savepoint` and `run --from-savepoint`.
 */
import type { Logger, TaskLayout } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import { createCheckpointStore, taskStoreName } from '../checkpoint/create-store.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { layOutJob } from './partitioned.ts';
import type { FindPlugin } from './partitioned.ts';
import { taskIds } from './savepoint-set.ts';
import type { TaskStore } from './savepoint-set.ts';
import { splitStages } from './stages.ts';

export interface JobTasks {
  readonly layout: TaskLayout;
  readonly stores: readonly TaskStore[];
  /** `<folder or table>` of the store, for messages. */
  readonly where: string;
}

export async function jobTasks(pipeline: CompiledPipeline, config: RuntimeConfig, logger: Logger, find?: FindPlugin): Promise<JobTasks> {
  const { layout, stages: cut } = await layOutJob(pipeline, logger, find);
  const names = splitStages(pipeline, cut).map((s) => s.name);
  const ids = taskIds(names, layout.count);
  const stores = await Promise.all(ids.map(async (task) => ({ task, store: await createCheckpointStore(config, taskStoreName(pipeline.name, { id: task, index: 0, count: layout.count }), logger) })));
  return { layout, stores, where: `${stores[0]?.store.describe() ?? 'the checkpoint store'} and the job's other ${ids.length - 1} task namespaces` };
}
