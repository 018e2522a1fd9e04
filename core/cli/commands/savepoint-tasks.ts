/**
 * `sluice savepoint` for a job run as tasks (`job.tasks`; docs/cli.md, Savepoints): a stop
 * with savepoint. The request goes through the job's task group (`TaskLayout.request`: a
 * record per task on the group's topic, received by whichever process owns the task, on any
 * machine — no list of endpoints to keep), and the command waits until every task of every
 * stage holds its part of the savepoint in the checkpoint store (savepoint-set.ts).
 * `list` and `delete` work on the set, in every task's store namespace.
 */
import type { Logger } from '../../api/index.ts';
import type { RuntimeConfig } from '../../runtime/config/index.ts';
import { newSavepointId } from '../../runtime/checkpoint/savepoints.ts';
import type { CompiledPipeline } from '../../runtime/graph/index.ts';
import { jobTasks } from '../../runtime/scale/job-stores.ts';
import { deleteSavepointSet, findSavepointSet, listSavepointSets } from '../../runtime/scale/savepoint-set.ts';
import { useRuntimeSasl } from '../../../lib/kafka-client/runtime-sasl.ts';
import { SluiceError } from '../../api/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { describeError } from './run.ts';
import type { SavepointCliOptions } from './savepoint.ts';

/** How long the command waits for every task's part: a later stage first reads what its upstream tasks committed before their parts. */
export const STOP_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 1000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

async function tasksOf(pipeline: CompiledPipeline, config: RuntimeConfig) {
  useRuntimeSasl(config.kafka.sasl);
  return jobTasks(pipeline, config, quiet);
}

export async function stopWithSavepoint(pipeline: CompiledPipeline, config: RuntimeConfig, o: SavepointCliOptions, io: CliIo, timeoutMs = STOP_TIMEOUT_MS): Promise<ExitCode> {
  const id = newSavepointId();
  try {
    const job = await tasksOf(pipeline, config);
    const deadline = Date.now() + timeoutMs;
    await job.layout.request!({ savepoint: id, expires: deadline });
    io.err(`stopping ${pipeline.name} with savepoint ${id}: asked the owners of its ${job.layout.count} tasks; waiting for the ${job.stores.length} task parts\n`);
    let held = -1;
    for (;;) {
      const set = await findSavepointSet(job.stores, id);
      if (set.complete) {
        if (o.output === 'json') io.out(`${JSON.stringify({ savepoint: id, tasks: set.parts.size, bytes: set.bytes, store: job.where })}\n`);
        else io.out(`${id}\n`);
        io.err(`savepoint ${id} of ${pipeline.name} complete: ${set.parts.size} task parts, ${set.bytes} bytes; the job's processes stop\n`);
        return EXIT.OK;
      }
      if (set.parts.size !== held) {
        held = set.parts.size;
        if (held > 0) io.err(`  ${held} of ${job.stores.length} task parts taken\n`);
      }
      if (Date.now() > deadline) {
        io.err(`error [E_SAVEPOINT]: savepoint ${id} incomplete after ${Math.round(timeoutMs / 1000)} s: no part in ${set.missing.join(', ')} (is the job running with this config? its processes' logs say why)\n`);
        return EXIT.RUNTIME;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return EXIT.RUNTIME;
  }
}

export async function listTaskSavepoints(pipeline: CompiledPipeline, config: RuntimeConfig, o: SavepointCliOptions, io: CliIo): Promise<ExitCode> {
  try {
    const job = await tasksOf(pipeline, config);
    const rows = (await listSavepointSets(job.stores)).map((set) => ({
      savepoint: set.id,
      created: new Date(set.createdAt).toISOString(),
      tasks: set.parts.size,
      complete: set.complete,
      missing: set.missing,
      bytes: set.bytes,
    }));
    if (o.output === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else writeLines(io.out, rows.map((r) => `${r.savepoint}  ${r.created}  ${r.tasks} task parts${r.complete ? '' : ` INCOMPLETE (missing ${r.missing.length})`}  ${r.bytes} bytes`));
    io.err(`${rows.length} savepoint${rows.length === 1 ? '' : 's'} of ${pipeline.name} (${job.stores.length} tasks) in ${job.where}\n`);
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return error instanceof SluiceError && error.code === 'E_SAVEPOINT' ? EXIT.PROBLEMS : EXIT.RUNTIME;
  }
}

export async function deleteTaskSavepoint(pipeline: CompiledPipeline, config: RuntimeConfig, id: string, io: CliIo): Promise<ExitCode> {
  try {
    const job = await tasksOf(pipeline, config);
    const gone = await deleteSavepointSet(job.stores, id);
    io.err(`deleted savepoint ${id} of ${pipeline.name}: ${gone.parts.size} task parts from ${job.where}\n`);
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return error instanceof SluiceError && error.code === 'E_SAVEPOINT' ? EXIT.PROBLEMS : EXIT.RUNTIME;
  }
}
