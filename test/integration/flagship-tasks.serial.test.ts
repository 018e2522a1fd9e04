/**
 * The flagship's production profile run as tasks (`job.tasks`) by 3 processes of the compiled
 * `sluice run`, on the real Kafka, HBase and NATS (docs/scale.md). Three cases: without a
 * failure (1, 3, 4), with a process killed (1–4), and 1 → 2 → 1 processes (a process added
 * mid-run, then the first stopped with SIGTERM; 3, 4).
 *
 * 1. The traffic (4 partitions per topic) is produced; 3 processes start and share the 4
 *    tasks of each of the job's 2 stages (cut where `counts` repartitions by experiment),
 *    checkpointing to HBase every 2 s.
 * 2. Half of the traffic is produced first. Once every process's own instance of each stage
 *    task it runs has completed a checkpoint (or, with SLUICE_TEST_TASKS_KILL_AT=spread, right
 *    after the tasks spread), a process that owns tasks gets SIGKILL, and the other half is
 *    produced. The survivors take its tasks over after the session timeout (10 s); the test
 *    logs the time from the kill to the first record the survivors process for a moved task
 *    (read from their /metrics).
 * 3. Once the tasks' consumer groups have committed every offset of both topics, the
 *    survivors are told to drain (SIGUSR2): every task ends its input, fires its windows and
 *    timers, commits, writes its files' run summary under `tasks/<task id>/` and the
 *    processes exit 0.
 * 4. `sluice validate` on the run folder reads the union of the tasks' files: the HBase
 *    counts table equals the DuckDB recomputation from the archive, every record read is
 *    archived once, conservation holds.
 *
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
// First: it loads kafkajs with the corrected read_committed filter.
import { readCommitted } from './repartition-readback.ts';
import { testNats } from '../../lib/nats-client/test-support.ts';
import { deadline, recordsToRead, until } from './flagship-production.ts';
import { logLines, MALFORMED, owned, TasksHarness } from './flagship-tasks-harness.ts';
import type { RunningJob } from './flagship-production.ts';
import { endOffsets } from './kafka-helpers.ts';

const PARTITIONS = 4;
// The kill case's events: half produced before the start, half after the kill.
const TOTAL = Number(process.env.SLUICE_TEST_TASKS_KILL_EVENTS ?? 200_000);
/** The case without a failure: small enough to be quick. */
const SMALL = 80_000;
/**
 * The 1 → 2 → 1 case: enough that the job is still reading at both changes (at 200,000 on a
 * lightly loaded machine the first stage's first checkpoints came after 77–88 % was read).
 */
const SCALE = Number(process.env.SLUICE_TEST_TASKS_SCALE_EVENTS ?? 800_000);
const STAGE2 = 'joined_by_experiment';
/**
 * When the kill case kills: `checkpointed` (the default) once every process's own instances of
 * its tasks have completed a checkpoint; `spread` right after the tasks
 * spread over the 3 processes, during the first rebalances' hand-offs (a fast run's kill).
 */
const KILL_AT = process.env.SLUICE_TEST_TASKS_KILL_AT === 'spread' ? 'spread' : 'checkpointed';

/** Each test starts its own deployment (topics, bucket, tables, groups) in the harness. */
const h = new TasksHarness({ partitions: PARTITIONS });
const { procs } = h;
const show = () => h.show();

after(async () => {
  await h.dispose();
  // Once for every test's bucket: the cleanup closes the connection.
  const nats = await testNats();
  await nats.cleanup([], [...h.deployments.map((x) => x.bucket), ...h.asideBuckets]);
});

void test('the flagship as tasks by 3 processes drains, and `sluice validate` finds the HBase counts equal to the recomputation from the union of the tasks\' files', { timeout: 480_000 }, async (t) => {
  await h.start('ft_tasks', SMALL, 3);
  await h.drainAndValidate(t, SMALL, procs);
});

void test('the flagship as tasks: 3 processes, one killed with kill -9, the survivors take over, drain, and `sluice validate` is clean', { timeout: 720_000 }, async (t) => {
  // Half of the traffic before the start, the other half once the victim is dead: however fast
  // the job reads, the moved tasks have records to process after the takeover. (In a fresh-clone
  // run with all of it produced first, the job had read 199,946 of 199,985 records when every task
  // had checkpointed, the killed process's tasks had nothing left, and the test waited for a record
  // that could not come: docs/scale.md §4.)
  const first = Math.floor(TOTAL / 2);
  await h.start('ft_tasks_kill', first, 3);
  const stages = ['', STAGE2];
  let victim: RunningJob;
  if (KILL_AT === 'spread') {
    // The early kill: right after the tasks spread, while the first rebalances' hand-off
    // checkpoints may be the only ones of the victim's tasks. The victim is a process that
    // was handed its tasks by another (so a hand-off checkpoint of them exists, or is being taken).
    const handed = (p: RunningJob) => owned(p).some((i) => procs.some((q) => q !== p && logLines(q).some((l) => l.msg.startsWith('tasks assigned') && (l.tasks ?? []).includes(i))));
    victim = procs.find((p) => owned(p).length > 0 && handed(p)) ?? procs.find((p) => owned(p).length > 0)!;
  } else {
    // Every process's own instance of each stage task it runs has completed a checkpoint (a
    // hand-off checkpoint of another process does not count), so the new owner restores the victim's.
    await until('a completed checkpoint of its own in every stage task of every process', 180_000, async () => {
      const running = procs.filter((p) => owned(p).length > 0);
      const all = running.reduce((n, p) => n + owned(p).length, 0) === PARTITIONS;
      return all && running.every((p) => h.ownCheckpoints(p, stages).missing.length === 0) ? true : undefined;
    }, 200);
    // The process whose tasks have the most records left to read.
    const ends = { activations: await endOffsets(h.d.topics.activations), actions: await endOffsets(h.d.topics.actions) };
    let most = -1;
    victim = procs.find((p) => owned(p).length > 0)!;
    for (const p of procs) {
      let left = 0;
      for (const i of owned(p)) left += ends.activations[i]! + ends.actions[i]! - ((await h.readFor(p, i)) ?? 0);
      if (owned(p).length > 0 && left > most) [victim, most] = [p, left];
    }
  }
  const own = h.ownCheckpoints(victim, stages);
  const moved = owned(victim);
  const read = await h.readByAll();
  const readByVictim = (await Promise.all(moved.map((i) => h.readFor(victim, i)))).reduce<number>((n, x) => n + (x ?? 0), 0);
  const survivors = procs.filter((p) => p !== victim);
  const baseline = new Map<string, number>();

  // 2. kill -9, then the rest of the traffic (its metadata aside: harness `more`).
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.exited;
  const rest = h.more(TOTAL, true);
  rest.catch(() => undefined);
  t.diagnostic(`killed (${KILL_AT}) ${((killedAt - h.startedAt) / 1000).toFixed(1)} s after the start, at ${read} records read of ${recordsToRead(first, MALFORMED, PARTITIONS).total} produced so far (${TOTAL - first} more events after the kill); the killed process had read ${readByVictim} of its task(s) ${moved.join(', ')}, and its own instances had checkpointed ${own.done.join(', ') || 'none'}${own.missing.length ? `, not ${own.missing.join(', ')}` : ''}`);
  let firstRecordAt: number | undefined;
  const takeoverDeadline = Date.now() + 120_000;
  await until('a survivor processing a record of a moved task', 130_000, async () => {
    if (Date.now() > takeoverDeadline) assert.fail(`no survivor processed a record of task(s) ${moved.join(', ')} in 120 s; first values seen: ${JSON.stringify([...baseline])}\n${show()}`);
    for (const p of survivors) {
      for (const i of moved) {
        const n = await h.readFor(p, i);
        if (n === undefined) continue;
        const key = `${survivors.indexOf(p)}/${i}`;
        // The first value seen is the restored count (or 0); processing shows as an increase.
        if (!baseline.has(key)) baseline.set(key, n);
        else if (n > baseline.get(key)!) firstRecordAt ??= Date.now();
      }
    }
    return firstRecordAt;
  }, 100);
  const restored = survivors.flatMap((p) => logLines(p).filter((l) => moved.some((i) => l.task === `task-${i}` || l.task === `${STAGE2}.task-${i}`) && l.msg.startsWith('restoring checkpoint')).map((l) => Date.parse(l.time)).filter((at) => at >= killedAt));
  t.diagnostic(`tasks ${moved.map((i) => `task-${i}`).join(', ')} moved: ${restored.length ? `${Math.min(...restored) - killedAt} ms from SIGKILL to the first restore` : 'no restore (started fresh)'}, ${firstRecordAt! - killedAt} ms to the first record processed for them (10 s session timeout)`);

  await rest;
  await h.drainAndValidate(t, TOTAL, survivors, first);
});

void test('the flagship as tasks: 1 process, a second added mid-run (1 → 2), then the first stopped with SIGTERM (2 → 1); the last one drains and `sluice validate` is clean', {
  // 1.5–3 min at 800,000 events (docs/scale.md §4). SLUICE_TEST_KEEP=1 keeps the run folder,
  // tables, process logs and the job's topics, to read the repartition topics back after a failure.
  timeout: 720_000,
}, async (t) => {
  await h.start('ft_tasks_scale', SCALE, 1);
  const [first] = procs;
  const expected = recordsToRead(SCALE, MALFORMED, PARTITIONS);
  await until('a completed checkpoint in every task of both stages', 120_000, async () => (h.checkpointed().size >= 2 * PARTITIONS ? true : undefined), 200);
  const at = await until('a fifth of the records read', 120_000, async () => {
    const n = await h.readByAll();
    return n >= 0.2 * expected.total ? n : undefined;
  }, 100);
  // 1 → 2: the sticky assignment moves half of the tasks to the new process; the first checkpoints them and lets go.
  const second = await h.startProcess();
  procs.push(second);
  await h.spread([first!, second]);
  const moved = owned(second);
  t.diagnostic(`1 → 2 at ${at} of ${expected.total} records read: task(s) ${moved.join(', ')} moved to the second process`);
  // Running there: a record read, or (a task whose partitions were already read to the end
  // reads none) its first-stage instance restored and checkpointed by the second process.
  const runs = (i: number) => logLines(second).some((l) => l.task === `task-${i}` && / complete$/.test(l.msg));
  await until('the second process running its tasks', 120_000, async () => {
    for (const i of moved) if (((await h.readFor(second, i)) ?? 0) === 0 && !runs(i)) return undefined;
    return true;
  }, 200);
  // 2 → 1: the first stops gracefully (its tasks checkpointed, then it leaves the group), the second takes every task.
  first!.child.kill('SIGTERM');
  const stoppedAt = Date.now();
  assert.equal(await Promise.race([first!.exited, deadline(120_000, 'timeout')]), 0, `the first process did not stop and exit 0:\n${show()}`);
  await until('the second process owning every task', 120_000, async () => (owned(second).length === PARTITIONS ? true : undefined), 200);
  t.diagnostic(`2 → 1: the first process exited ${Date.now() - stoppedAt} ms after SIGTERM; the second owns ${owned(second).map((i) => `task-${i}`).join(', ')}`);
  const failure = await h.drainAndValidate(t, SCALE, [second]).then(() => undefined, (error: unknown) => error);
  // What the first stage committed, whatever the counts did with it: each user's first
  // trigger of an experiment epoch is emitted once, so a key twice is the first stage's
  // exactly-once output failing across the hand-offs (docs/scale.md §4).
  const topic = `sluice.${h.job}.triggers_by_experiment.repartition`;
  const triggers = await readCommitted(topic, (r) => `${String(r.user_id)}|${String(r.experiment_id)}|${String(r.epoch_start)}`).catch((error: unknown) => error as Error);
  t.diagnostic(triggers instanceof Error ? triggers.message : `${topic}: ${triggers.records} committed triggers, ${triggers.twice} of them twice ${triggers.examples.join(', ')}`);
  if (failure) throw failure;
  assert.ok(!(triggers instanceof Error), String(triggers));
  assert.equal(triggers.twice, 0, `triggers committed twice to ${topic}: ${triggers.examples.join(', ')}`);
});
