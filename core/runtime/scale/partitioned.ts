/**
 * The plugins a job run as tasks goes through (core/api/tasks.ts), never imported by name: the
 * one source plugin among the job's sources that declares `tasks` lays the job out from all
 * its blocks (the task count, the task group); when the job has `repartition` operators, that
 * plugin's `repartitionInput` and the `repartitionOutput` of the sink plugin of the same name,
 * found through the registry, are the two ends of each cut (stages.ts).
 */
import { SluiceError } from '../../api/index.ts';
import type { Logger, PluginDefinition, PluginKind, SinkDefinition, SourceDefinition, TaskLayout } from '../../api/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { repartitionTopics } from './stages.ts';
import type { StageOptions } from './stages.ts';

/** Finds a plugin by kind and name (the built-ins by default). */
export type FindPlugin = (kind: PluginKind, name: string) => Promise<PluginDefinition | undefined>;

export interface JobLayout {
  /** The task count and group; `createTopics(repartitionTopics(pipeline))` once the stages are cut. */
  readonly layout: TaskLayout;
  /** How stages.ts cuts the job at its repartitions. */
  readonly stages: StageOptions;
}

const findBuiltin: FindPlugin = async (kind, name) => (await import('../plugins/index.ts')).builtinPlugin(kind, name);

export async function layOutJob(pipeline: CompiledPipeline, logger: Logger, find: FindPlugin = findBuiltin): Promise<JobLayout> {
  const partitioned = pipeline.sources.filter((s) => s.plugin.tasks !== undefined);
  const names = [...new Set(partitioned.map((s) => s.plugin.name))];
  if (names.length === 0) throw new SluiceError('E_TASKS', `job '${pipeline.name}' has no source that can run as tasks, such as kafka (job.tasks)`);
  if (names.length > 1) throw new SluiceError('E_TASKS', `job '${pipeline.name}' reads sources of ${names.map((n) => `'${n}'`).join(' and ')}: only one source plugin can lay out the tasks of a job (job.tasks)`);
  const source = partitioned[0]!.plugin as SourceDefinition;
  const tasks = source.tasks!;
  const layout = await tasks.layout({ job: pipeline.name, blocks: partitioned.map((s) => ({ id: s.id, config: s.config })), logger });
  const topics = repartitionTopics(pipeline);
  let sink: SinkDefinition | undefined;
  if (topics.length > 0) {
    const found = await find('sink', source.name);
    sink = found?.kind === 'sink' && found.repartitionOutput ? found : undefined;
    if (!sink) throw new SluiceError('E_TASKS', `job '${pipeline.name}' repartitions, but no sink plugin '${source.name}' writes repartition topics for its '${source.name}' sources (repartitionOutput)`);
  }
  const { cluster, count } = layout;
  const stages: StageOptions = {
    partitions: count,
    input: (topic) => tasks.repartitionInput({ cluster, topic, upstreamTasks: count }),
    output: (topic, key, leader) => sink!.repartitionOutput!({ cluster, topic, key, partitions: count, leader }),
  };
  return { layout, stages };
}
