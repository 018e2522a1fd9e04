/**
 * The run summary (`sluice.run-summary/v1`, docs/flagship.md §5) that `sluice run` writes
 * when a run ends, if a sink of the pipeline declares one in its `run_summary` option (the
 * flagship's report sink does). It is what `sluice validate` reads: where the archive,
 * the late and dead-letter outputs and the results are, and per stream role what the job
 * did with the records it admitted, from the job's stage counts and operators' counters.
 *
 * Per role: `admitted` = what its archive sink wrote; `late` and `dead_lettered` are
 * counted from the late and dead-letter files by provenance output (dead letters the
 * source itself wrote are undecodable payloads: `read` = admitted + those); the declared
 * outcomes come from counters; `counted` is the rest, so the outcomes add up to admitted.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CompiledPipeline, CompiledSink } from '../../runtime/graph/index.ts';
import type { JobResult } from '../../runtime/engine/index.ts';

/** The `run_summary` option of a sink, as parsed. */
export interface RunSummaryDeclaration {
  readonly path: string;
  readonly sources: Readonly<Record<string, { readonly archive: string; readonly outcomes: Readonly<Record<string, string>> }>>;
  readonly results: string;
  readonly settings: unknown;
}

/** The declaration of the first sink that has one, if any. */
export function runSummaryDeclaration(pipeline: CompiledPipeline): RunSummaryDeclaration | undefined {
  for (const sink of pipeline.sinks) {
    const declared = (sink.config as { run_summary?: RunSummaryDeclaration } | null)?.run_summary;
    if (declared) return declared;
  }
  return undefined;
}

export const pathOf = (sink: CompiledSink | undefined): string | undefined => {
  const p = (sink?.config as { path?: unknown } | undefined)?.path;
  return typeof p === 'string' ? p : undefined;
};

interface ProvenanceLike { source?: string; output?: string }
interface OutputLine { operator?: string; provenance?: ProvenanceLike | ProvenanceLike[] | null }

/** Lines of a late or dead-letter file per `source/output` of their provenance (first provenance when several). */
export async function countByOutput(path: string | undefined, sourceIds: ReadonlySet<string>): Promise<{ admitted: Map<string, number>; undecodable: Map<string, number> }> {
  const admitted = new Map<string, number>();
  const undecodable = new Map<string, number>();
  if (path === undefined) return { admitted, undecodable };
  let lines: AsyncIterable<string>;
  try {
    lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const row = JSON.parse(line) as OutputLine;
      const p = Array.isArray(row.provenance) ? row.provenance[0] : row.provenance;
      if (!p?.source) continue;
      const key = `${p.source}/${p.output ?? ''}`;
      const into = row.operator !== undefined && sourceIds.has(row.operator) ? undecodable : admitted;
      into.set(key, (into.get(key) ?? 0) + 1);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { admitted, undecodable };
    throw error;
  }
  return { admitted, undecodable };
}

function tallyOf(result: JobResult, id: string): { admitted: Map<string, number>; undecodable: Map<string, number> } {
  const t = result.stages[id]?.byStream;
  return { admitted: new Map(Object.entries(t?.admitted ?? {})), undecodable: new Map(Object.entries(t?.undecodable ?? {})) };
}

function counterOf(result: JobResult, ref: string): number {
  const [stage, counter] = ref.split('.') as [string, string];
  const s = result.stages[stage];
  if (!s) throw new Error(`run_summary: no stage '${stage}' in the job (for '${ref}')`);
  if (counter === 'dropped') return s.in - s.out - s.late - s.deadLettered;
  return s.counters?.[counter] ?? 0;
}

/** Builds the summary; paths are relative to the summary's folder. */
export async function buildRunSummary(pipeline: CompiledPipeline, result: JobResult, declared: RunSummaryDeclaration, runId: string, cwd: string): Promise<Record<string, unknown>> {
  const dir = dirname(resolve(cwd, declared.path));
  const rel = (p: string) => relative(dir, resolve(cwd, p));
  const sinks = new Map(pipeline.sinks.map((s) => [s.id, s]));
  const sourceIds = new Set(pipeline.sources.map((s) => s.id));
  const latePath = pathOf(pipeline.late);
  const deadPath = pathOf(pipeline.deadLetter);
  // A file output is counted from the file (it survives restarts); any other (a Kafka topic) from the job's own tally.
  const late = latePath !== undefined ? await countByOutput(latePath, sourceIds) : tallyOf(result, pipeline.late?.id ?? 'late');
  const dead = deadPath !== undefined ? await countByOutput(deadPath, sourceIds) : tallyOf(result, pipeline.deadLetter?.id ?? 'dead_letter');
  const archive: Record<string, string[]> = {};
  const sources: Record<string, unknown> = {};
  for (const [role, { archive: archiveId, outcomes: refs }] of Object.entries(declared.sources)) {
    const sink = sinks.get(archiveId);
    const path = pathOf(sink);
    if (!sink?.input || path === undefined) throw new Error(`run_summary: '${archiveId}' is not a file sink of the pipeline`);
    archive[role] = [rel(path)];
    const streamKey = `${sink.input.node}/${sink.input.output ?? ''}`;
    const admitted = result.stages[archiveId]?.out ?? 0;
    const outcomes: Record<string, number> = { counted: 0, late: late.admitted.get(streamKey) ?? 0, dead_lettered: dead.admitted.get(streamKey) ?? 0 };
    for (const [name, ref] of Object.entries(refs)) outcomes[name] = counterOf(result, ref);
    outcomes.counted = admitted - Object.values(outcomes).reduce((a, b) => a + b, 0);
    sources[role] = { read: admitted + (dead.undecodable.get(streamKey) ?? 0), admitted, outcomes };
  }
  const results = resultsOf(sinks.get(declared.results), declared.results, rel);
  return {
    format: 'sluice.run-summary/v1',
    job: pipeline.name,
    run_id: runId,
    drained: result.status !== 'failed',
    status: result.status,
    archive,
    late: latePath === undefined ? [] : [rel(latePath)],
    dead_letter: deadPath === undefined ? [] : [rel(deadPath)],
    ...(deadPath === undefined && pipeline.deadLetter ? { dead_letter_output: pipeline.deadLetter.plugin.name } : {}),
    results,
    sources,
    settings: declared.settings,
  };
}

/** Where the counts are: an `embedded_store` (SQLite file and table) or an `hbase` table (its REST server). */
export function resultsOf(sink: CompiledSink | undefined, id: string, rel: (p: string) => string): Record<string, unknown> {
  if (sink?.plugin.name === 'hbase') {
    const c = sink.config as { host: string; port: number; protocol: string; table: string; family: string };
    return { hbase: { url: `${c.protocol}://${c.host}:${c.port}`, table: c.table, family: c.family } };
  }
  const store = sink?.config as { path?: string; table?: string } | undefined;
  if (sink?.plugin.name !== 'embedded_store' || !store?.path || !store.table) throw new Error(`run_summary: results '${id}' is neither an embedded_store nor an hbase sink of the pipeline`);
  return { sqlite: rel(store.path), table: store.table };
}

interface SummarySource { read: number; admitted: number; outcomes: Record<string, number> }

/**
 * The run's inputs in one line per stream role, for a report: read, admitted, late,
 * undecodable (read − admitted: what the source could not decode) and dead-lettered.
 */
export function formatRunInputs(summary: Record<string, unknown>): string {
  const lines = [`Inputs of run ${String(summary.run_id)} (${String(summary.status)}):`];
  for (const [role, s] of Object.entries(summary.sources as Record<string, SummarySource>)) {
    const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
    lines.push(`  ${role.padEnd(12)} ${n(s.read)} read, ${n(s.admitted)} admitted, ${n(s.outcomes.late)} late, ${n(s.read - s.admitted)} undecodable, ${n(s.outcomes.dead_lettered)} dead-lettered`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Puts the run's inputs (`formatRunInputs`) into the report file the declaring sink wrote
 * (its `path`), under the report's first line; nothing when it has none or did not write it.
 */
export async function addInputsToReport(pipeline: CompiledPipeline, inputs: string, cwd: string): Promise<void> {
  const declaring = pipeline.sinks.find((sink) => (sink.config as { run_summary?: unknown } | null)?.run_summary);
  const path = pathOf(declaring);
  if (path === undefined) return;
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch {
    return;
  }
  const cut = text.indexOf('\n') + 1;
  await writeFile(resolve(cwd, path), `${text.slice(0, cut)}${inputs}${text.slice(cut)}`);
}

/** Writes the summary; returns its path and the summary. */
export async function writeRunSummary(pipeline: CompiledPipeline, result: JobResult, declared: RunSummaryDeclaration, runId: string, cwd: string): Promise<{ path: string; summary: Record<string, unknown> }> {
  const summary = await buildRunSummary(pipeline, result, declared, runId, cwd);
  const path = resolve(cwd, declared.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(summary, null, 2) + '\n');
  return { path, summary };
}
