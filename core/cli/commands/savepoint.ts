/**
 * `sluice savepoint <pipeline>`: asks the running job for a savepoint through its operations
 * endpoint (`POST /savepoints` on `metrics.host`:`metrics.port` of the job's config, or
 * `--endpoint`) and prints its id once it is complete.
 * `sluice savepoint list|delete <pipeline>`: the savepoints in the job's checkpoint store,
 * read and deleted directly (the job may be stopped).
 *
 * A job run as tasks (`job.tasks`) is stopped with a savepoint instead (savepoint-tasks.ts): a
 * request through the job's task group reaches the owner of every task, and the command waits
 * until every task of every stage holds its part; list and delete work on the set.
 */
import { SluiceError } from '../../api/index.ts';
import type { CheckpointManifest, Logger } from '../../api/index.ts';
import type { RuntimeConfig } from '../../runtime/config/index.ts';
import { createCheckpointStore } from '../../runtime/checkpoint/create-store.ts';
import { pipelineHash } from '../../runtime/checkpoint/pipeline-shape.ts';
import { deleteSavepoint, listSavepoints } from '../../runtime/checkpoint/savepoints.ts';
import type { CompiledPipeline } from '../../runtime/graph/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { loadPipeline } from '../pipeline.ts';
import { loadJobConfig } from './job-config.ts';
import { describeError } from './run.ts';

export interface SavepointCliOptions {
  readonly profile?: string;
  readonly set: readonly string[];
  readonly output?: 'text' | 'json';
  /** `host:port` of the job's endpoint; default from the config. */
  readonly endpoint?: string;
}

/** The compiled pipeline and its job's config, or the exit code when either is invalid. */
async function load(file: string, o: SavepointCliOptions, io: CliIo): Promise<{ pipeline: CompiledPipeline; config: RuntimeConfig } | ExitCode> {
  const { pipeline, exit } = await loadPipeline(file, o.profile, io);
  if (!pipeline) return exit;
  const loaded = loadJobConfig(pipeline, o.set, io);
  return typeof loaded === 'number' ? loaded : { pipeline, config: loaded.config };
}

/** Where to POST: `--endpoint`, else the job's `metrics.host`:`metrics.port` (a wildcard host reached on loopback). */
export function savepointUrl(config: RuntimeConfig, endpoint: string | undefined): string {
  if (endpoint !== undefined) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(endpoint);
    if (!m) throw new SluiceError('E_USAGE', `--endpoint '${endpoint}' is not host:port`);
    return `http://${m[1]}:${m[2]}/savepoints`;
  }
  const { host, port } = config.metrics;
  if (!(port > 0)) throw new SluiceError('E_SAVEPOINT', 'the job serves no endpoint (metrics.port is 0): run it with metrics.port set (e.g. --set metrics.port=9464) and use the same config here, or pass --endpoint host:port');
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reach}:${port}/savepoints`;
}

export async function triggerSavepoint(file: string, o: SavepointCliOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await load(file, o, io);
  if (typeof loaded === 'number') return loaded;
  if (loaded.config.job.tasks) return (await import('./savepoint-tasks.ts')).stopWithSavepoint(loaded.pipeline, loaded.config, o, io);
  let url: string;
  try {
    url = savepointUrl(loaded.config, o.endpoint);
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return (error as SluiceError).code === 'E_USAGE' ? EXIT.USAGE : EXIT.RUNTIME;
  }
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(loaded.config.checkpoint.timeout + 30_000) });
  } catch (error) {
    const why = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    io.err(`error [E_SAVEPOINT]: no job of ${loaded.pipeline.name} answered at ${url} (${why}); is it running with this config?\n`);
    return EXIT.RUNTIME;
  }
  const body = (await response.json().catch(() => ({}))) as { savepoint?: string; checkpoint?: number; store?: string; error?: string; code?: string };
  if (response.status !== 200 || typeof body.savepoint !== 'string') {
    io.err(`error [${body.code ?? 'E_SAVEPOINT'}]: ${body.error ?? `${url} answered ${response.status}`}\n`);
    return EXIT.RUNTIME;
  }
  if (o.output === 'json') io.out(`${JSON.stringify({ savepoint: body.savepoint, checkpoint: body.checkpoint, store: body.store })}\n`);
  else io.out(`${body.savepoint}\n`);
  io.err(`savepoint ${body.savepoint} of ${loaded.pipeline.name} complete: checkpoint ${body.checkpoint} in ${body.store}\n`);
  return EXIT.OK;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const bytesOf = (m: CheckpointManifest) => m.chunks.reduce((n, c) => n + c.bytes, 0);

function row(m: CheckpointManifest, hash: string): Record<string, unknown> {
  return {
    savepoint: m.savepoint!.id,
    checkpoint: m.id,
    created: new Date(m.createdAt).toISOString(),
    bytes: bytesOf(m),
    pipeline_hash: m.pipeline?.hash ?? null,
    fits_unchanged: m.pipeline?.hash === hash,
    operators: m.pipeline ? Object.keys(m.pipeline.operators) : [],
  };
}

/** Runs `work` against the job's store; a failing store is a runtime failure, a missing savepoint a problem found. */
async function withStore(loaded: { pipeline: CompiledPipeline; config: RuntimeConfig }, io: CliIo, work: (p: CompiledPipeline, store: Awaited<ReturnType<typeof createCheckpointStore>>) => Promise<void>): Promise<ExitCode> {
  try {
    await work(loaded.pipeline, await createCheckpointStore(loaded.config, loaded.pipeline.name, quiet));
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return error instanceof SluiceError && error.code === 'E_SAVEPOINT' ? EXIT.PROBLEMS : EXIT.RUNTIME;
  }
}

export async function listSavepointsCommand(file: string, o: SavepointCliOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await load(file, o, io);
  if (typeof loaded === 'number') return loaded;
  if (loaded.config.job.tasks) return (await import('./savepoint-tasks.ts')).listTaskSavepoints(loaded.pipeline, loaded.config, o, io);
  return withStore(loaded, io, async (pipeline, store) => {
    const hash = pipelineHash(pipeline);
    const rows = (await listSavepoints(store)).map((m) => row(m, hash));
    if (o.output === 'json') return void io.out(`${JSON.stringify(rows, null, 2)}\n`);
    writeLines(
      io.out,
      rows.map((r) => `${String(r.savepoint)}  checkpoint ${String(r.checkpoint)}  ${String(r.created)}  ${String(r.bytes)} bytes  ${r.fits_unchanged ? 'same pipeline' : 'pipeline changed since'}`),
    );
    io.err(`${rows.length} savepoint${rows.length === 1 ? '' : 's'} of ${pipeline.name} in ${store.describe()}\n`);
  });
}

export async function deleteSavepointCommand(file: string, id: string, o: SavepointCliOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await load(file, o, io);
  if (typeof loaded === 'number') return loaded;
  if (loaded.config.job.tasks) return (await import('./savepoint-tasks.ts')).deleteTaskSavepoint(loaded.pipeline, loaded.config, id, io);
  return withStore(loaded, io, async (pipeline, store) => {
    const gone = await deleteSavepoint(store, id);
    io.err(`deleted savepoint ${id} (checkpoint ${gone.id}) of ${pipeline.name} from ${store.describe()}\n`);
  });
}
