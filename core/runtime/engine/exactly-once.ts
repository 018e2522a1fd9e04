/**
 * Exactly-once output to Kafka: the commit point is the consumer groups' committed
 * offsets, which only the exactly-once sink writes, inside the transaction that commits
 * the output of one checkpoint interval, after that checkpoint's manifest is committed.
 *
 * So a checkpoint is the job's restore point when the groups' offsets equal its source
 * positions. After a crash the newest manifest may be one whose transaction never
 * committed (the process died between the manifest and the commit); the restore then
 * takes the one before it, whose offsets are the committed ones, and the output of the
 * aborted transaction is written again by the replay — once.
 *
 * Restore: fence the sink's earlier incarnation (aborting its open transaction, which
 * makes the groups' offsets final), read the offsets, and pick the newest complete
 * checkpoint that matches. No committed offsets at all means nothing was ever committed:
 * a fresh start. Offsets that match no checkpoint mean state and output disagree: the job
 * refuses to start.
 */
import { SluiceError } from '../../api/index.ts';
import type { CheckpointManifest, ConsumerGroupPositions, ExactlyOnceWriter, GroupOffsets } from '../../api/index.ts';
import { exactlyOnceSinks } from '../graph/exactly-once-check.ts';
import type { EngineSettings } from './settings.ts';

export interface ExactlyOncePlan {
  readonly sinkId: string;
  readonly writer: ExactlyOnceWriter;
  readonly sources: readonly { readonly id: string; readonly group: ConsumerGroupPositions }[];
}

const refuse = (message: string) => new SluiceError('E_RUNTIME_CONFIG', message);

/** The groups' committed offsets match no checkpoint: restarting cannot change that. */
export class NoMatchingCheckpoint extends SluiceError {
  constructor(message: string) {
    super('E_CHECKPOINT', message);
  }
}

/**
 * The job's exactly-once sink and its sources' groups, or undefined when no sink writes
 * exactly once. Throws `E_RUNTIME_CONFIG` for a job that cannot (graph/exactly-once-check.ts:
 * several such sinks, one as the late or dead-letter output, a source without
 * consumer-group positions; and here: no checkpoint store, `checkpoint.retain` below 2).
 */
export function planExactlyOnce(s: EngineSettings): ExactlyOncePlan | undefined {
  const p = s.pipeline;
  // A sink replaced by an in-memory instance (the in-process test runner) writes nothing to Kafka.
  const o = s.overrides;
  const real = { ...p, sinks: p.sinks.filter((k) => !o.sinks?.[k.id]), late: o.late ? undefined : p.late, deadLetter: o.deadLetter ? undefined : p.deadLetter };
  const { writers, problems } = exactlyOnceSinks(real, s.logger, s.task);
  if (problems.length) throw refuse(problems[0]!.message);
  if (writers.length === 0) return undefined;
  const { sink, writer } = writers[0]!;
  const sources = p.sources.filter((src) => src.plugin.consumerGroup).map((src) => ({ id: src.id, group: src.plugin.consumerGroup!({ id: src.id, job: p.name, config: src.config, logger: s.logger.child({ source: src.id }), ...(s.task ? { task: s.task } : {}) }) }));
  if (!s.store) throw refuse(`sink '${sink.id}' writes exactly once, which needs checkpoints: configure a checkpoint store`);
  if (s.checkpoint.retain < 2) throw refuse(`sink '${sink.id}' writes exactly once, which needs checkpoint.retain ≥ 2 (the checkpoint before the newest is the restore point until the newest's transaction commits)`);
  return { sinkId: sink.id, writer, sources };
}

/** Each source's group offsets at `manifest` (for the sink's transaction). */
export function sourceOffsetsAt(plan: ExactlyOncePlan, sources: Readonly<Record<string, unknown>>): GroupOffsets[] {
  return plan.sources.map(({ id, group }) => group.offsetsOf(sources[id]));
}

function sameOffsets(a: GroupOffsets, b: GroupOffsets): boolean {
  const text = (g: GroupOffsets) => g.offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).sort().join(',');
  return text(a) === text(b);
}

/**
 * The checkpoint an exactly-once job restores (see the file comment); undefined for a
 * fresh start. Manifests with ids up to `ignoreUpTo` (`--reset-state`) are not candidates,
 * and with `--reset-state` offsets that match none of the others mean a fresh start too.
 */
export async function chooseExactlyOnce(s: EngineSettings, plan: ExactlyOncePlan, ignoreUpTo: number): Promise<CheckpointManifest | undefined> {
  const store = s.store!;
  await plan.writer.fence();
  const marked = await plan.writer.committedCheckpoint?.();
  if (marked !== undefined) return chooseMarked(s, plan, marked, ignoreUpTo);
  const committed = await Promise.all(plan.sources.map(({ group }) => group.committed()));
  const all = store.list ? await store.list() : [await store.latest()].filter((m) => m !== undefined);
  const candidates = all.filter((m) => m.id > ignoreUpTo);
  const found = candidates.find((m) => sourceOffsetsAt(plan, m.sources).every((o, i) => sameOffsets(o, committed[i]!)));
  const describe = () => committed.map((g) => `${g.groupId} {${g.offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).join(', ')}}`).join('; ');
  if (found) {
    if (found.id !== candidates[0]?.id) {
      s.logger.warn(`exactly once: checkpoint ${candidates[0]!.id} is complete but its transaction never committed; restoring checkpoint ${found.id}, whose offsets the groups committed`, { checkpoint: found.id, newest: candidates[0]!.id });
    }
    return found;
  }
  if (committed.every((g) => g.offsets.length === 0) || s.resetState) {
    if (candidates.length) s.logger.warn(`exactly once: no transaction of checkpoints ${candidates.map((m) => m.id).join(', ')} committed; starting fresh`);
    return undefined;
  }
  throw new NoMatchingCheckpoint(
    `exactly once: the committed offsets (${describe()}) match no complete checkpoint in ${store.describe()} (${candidates.map((m) => m.id).join(', ') || 'none'}): ` +
      'the output topic and the checkpoints disagree (checkpoints deleted, or the group committed by another writer); run with --reset-state to start from scratch on purpose',
  );
}

/** The writer marks its committed checkpoint: that one is the restore point (or a fresh start with --reset-state). */
async function chooseMarked(s: EngineSettings, plan: ExactlyOncePlan, marked: number, ignoreUpTo: number): Promise<CheckpointManifest | undefined> {
  const store = s.store!;
  const all = store.list ? await store.list() : [await store.latest()].filter((m) => m !== undefined);
  const candidates = all.filter((m) => m.id > ignoreUpTo);
  const found = candidates.find((m) => m.id === marked);
  if (found) {
    if (found.id !== candidates[0]?.id) {
      s.logger.warn(`exactly once: checkpoint ${candidates[0]!.id} is complete but its transaction never committed; restoring checkpoint ${found.id}, the last one committed`, { checkpoint: found.id, newest: candidates[0]!.id });
    }
    return found;
  }
  if (s.resetState || marked <= ignoreUpTo) return undefined;
  throw new NoMatchingCheckpoint(
    `exactly once: sink '${plan.sinkId}' last committed checkpoint ${marked}, which is not among the complete checkpoints in ${store.describe()} (${candidates.map((m) => m.id).join(', ') || 'none'}): ` +
      'the output topic and the checkpoints disagree; run with --reset-state to start from scratch on purpose',
  );
}
