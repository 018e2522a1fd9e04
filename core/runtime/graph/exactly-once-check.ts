/**
 * What a pipeline needs for an exactly-once sink (core/runtime/engine/exactly-once.ts),
 * checked by lint and again at start: at most one sink writes exactly once, never the
 * late or dead-letter output, and every source then reads a Kafka consumer group (its
 * positions are what the sink's transactions commit). Runtime settings (a checkpoint
 * store, `checkpoint.retain` ≥ 2) are checked at start only.
 */
import type { ExactlyOnceWriter, Logger, TaskSlice } from '../../api/index.ts';
import type { CompiledPipeline, CompiledSink, Located, LocatedIssue } from './types.ts';

export interface ExactlyOnceProblem {
  readonly at: Located;
  readonly message: string;
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

type Blocks = Pick<CompiledPipeline, 'name' | 'sources' | 'sinks' | 'late' | 'deadLetter'>;

function writerOf(p: Blocks, sink: CompiledSink, logger: Logger, task?: TaskSlice): ExactlyOnceWriter | undefined {
  return sink.plugin.exactlyOnce?.({ id: sink.id, job: p.name, config: sink.config, logger: logger.child({ sink: sink.id }), ...(task ? { task } : {}) });
}

/** The main sinks that write exactly once (with their writers), and what keeps the pipeline from it. */
export function exactlyOnceSinks(p: Blocks, logger: Logger = silent, task?: TaskSlice): { writers: { sink: CompiledSink; writer: ExactlyOnceWriter }[]; problems: ExactlyOnceProblem[] } {
  const problems: ExactlyOnceProblem[] = [];
  for (const side of [p.late, p.deadLetter]) {
    if (side && writerOf(p, side, logger)) problems.push({ at: side.location, message: `'${side.id}' writes exactly once, which the late and dead-letter outputs cannot: only a main sink can` });
  }
  const writers = p.sinks.flatMap((sink) => {
    const writer = writerOf(p, sink, logger, task);
    return writer ? [{ sink, writer }] : [];
  });
  if (writers.length > 1) {
    problems.push({ at: writers[1]!.sink.location, message: `sinks ${writers.map((w) => `'${w.sink.id}'`).join(', ')} write exactly once; a job can have one such sink` });
  }
  // A writer that marks its committed checkpoint needs no consumer groups (see ExactlyOnceWriter).
  if (writers.length && !writers[0]!.writer.committedCheckpoint) {
    for (const src of p.sources) {
      if (!src.plugin.consumerGroup) {
        problems.push({ at: src.location, message: `sink '${writers[0]!.sink.id}' writes exactly once, so every source must read a Kafka consumer group; source '${src.id}' (${src.plugin.name}) does not` });
      }
    }
  }
  return { writers, problems };
}

/** Lint: the problems as errors at their blocks. */
export function checkExactlyOnce(p: Blocks, issues: LocatedIssue[]): void {
  for (const { at, message } of exactlyOnceSinks(p).problems) {
    issues.push({ code: 'E_CONFIG_INVALID', severity: 'error', message, file: at.file, line: at.line, col: at.col, configPath: at.configPath, path: at.configPath.split('.') });
  }
}
