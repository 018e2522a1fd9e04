/**
 * The flagship's production profile run as tasks (`job.tasks`) by processes of the compiled
 * `sluice run`, for the serial integration tests (docs/scale.md): a deployment of its own (topics,
 * bucket, tables, groups, a job name per run), the processes, what their logs and /metrics say
 * (tasks owned, checkpoints completed, records read), and the end of every such test: wait until
 * every offset is committed, drain with SIGUSR2, and `sluice validate` the union of the tasks' files.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { deadline, deployment, metric, produce, recordsToRead, runFolder, scrape, sleep, startJob, until } from './flagship-production.ts';
import type { Deployment, RunningJob } from './flagship-production.ts';
import { dropTables, hbase } from './hbase-helpers.ts';
import { adminAt, BROKERS } from './kafka-helpers.ts';

export const MALFORMED = 0.005;

export interface LogLine { readonly time: string; readonly msg: string; readonly task?: string; readonly tasks?: number[] }

export const logLines = (p: RunningJob): LogLine[] => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
/** The tasks a process owns, by its last `tasks assigned` line. */
export const owned = (p: RunningJob): number[] => logLines(p).filter((l) => l.msg.startsWith('tasks assigned')).at(-1)?.tasks ?? [];

export interface TasksHarnessOptions {
  readonly partitions: number;
  /** The broker of the job's topics (default: the shared one). */
  readonly brokers?: readonly string[];
  /** More environment for the pipelines (produce_traffic and the job): another broker, NATS server. */
  readonly env?: Record<string, string>;
}

export class TasksHarness {
  /** The job's name (its task group, internal topics and their groups are named after it): this run's own. */
  readonly job = `ft_job_${Date.now().toString(36)}`;
  readonly procs: RunningJob[] = [];
  readonly deployments: Deployment[] = [];
  /** Buckets that `more(…, true)` wrote metadata to (the caller deletes them with the deployments'). */
  readonly asideBuckets: string[] = [];
  d!: Deployment;
  /** When the last `start` started its processes (ms). */
  startedAt = 0;
  private readonly kafka: ReturnType<typeof adminAt>;

  constructor(private readonly o: TasksHarnessOptions) {
    this.kafka = adminAt(o.brokers ?? BROKERS);
  }

  get partitions(): number {
    return this.o.partitions;
  }

  /**
   * The job's environment. Session timeouts: the task group's 10 s (`startProcess`; a shorter one
   * moves tasks away from live processes on a loaded machine), which the tasks' Kafka groups
   * follow although the production profile gives the sources 30 s (kafka-source.ts, `sessionTimeoutOf`).
   */
  private get jobEnv(): Record<string, string> {
    // SLUICE_TEST_KEEP=1 keeps every checkpoint too, to read a task's state at each of them after a failure.
    const keep: Record<string, string> = process.env.SLUICE_TEST_KEEP === '1' ? { SLUICE_CHECKPOINT_RETAIN: '1000000' } : {};
    return { JOB_NAME: this.job, SLUICE_CHECKPOINT_INTERVAL: '2s', SLUICE_LOG_LEVEL: 'info', SLUICE_JOB_STATE_DIR: join(this.d.dir, 'state'), ...keep };
  }

  /**
   * A fresh deployment, `total` events of traffic produced, the checkpoint table ready, `n`
   * processes started and the tasks spread. `more(events)` produces more of the same traffic later.
   */
  async start(label: string, total: number, n: number): Promise<void> {
    this.killAll();
    this.d = deployment(label);
    Object.assign(this.d.env, this.o.env ?? {});
    this.deployments.push(this.d);
    await this.cleanJob();
    await produce(this.d, total, MALFORMED, this.partitions);
    // The checkpoint table made before any process starts and scanned until its region answers:
    // a table created a moment ago may answer HTTP 410 while its region opens.
    await hbase.createTable(this.d.tables.checkpoints, [{ name: 'd' }, { name: 'm' }]);
    await until(`table ${this.d.tables.checkpoints} answers scans`, 30_000, async () => (await hbase.scan(this.d.tables.checkpoints).then(() => true, () => undefined)), 500);
    this.startedAt = Date.now();
    for (let i = 0; i < n; i++) this.procs.push(await this.startProcess());
    await this.spread(this.procs);
  }

  /**
   * Produces the traffic up to `events` in all (continuing where the last call stopped). With
   * `metadataAside`, its metadata goes to another bucket (`<bucket>_aside`, in `asideBuckets`),
   * so the job's bucket keeps what it held at the start: a task that starts afresh later reads
   * the bucket's latest values, and would see other versions than the tasks that watched the puts.
   */
  more(events: number, metadataAside = false): Promise<void> {
    if (!metadataAside) return produce(this.d, events, MALFORMED, this.partitions);
    const bucket = `${this.d.bucket}_aside`;
    if (!this.asideBuckets.includes(bucket)) this.asideBuckets.push(bucket);
    return produce({ ...this.d, env: { ...this.d.env, METADATA_BUCKET: bucket } }, events, MALFORMED, this.partitions);
  }

  startProcess(): Promise<RunningJob> {
    return startJob(this.d, ['--set', 'job.tasks=true', '--set', 'job.task_session_timeout=10s'], this.jobEnv);
  }

  /** Until the tasks are spread over `running` (each owns one at least). */
  async spread(running: readonly RunningJob[]): Promise<void> {
    await until(`the ${this.partitions} tasks spread over ${running.length} process(es)`, 120_000, async () => {
      for (const p of running) assert.equal(p.child.exitCode, null, `a process exited early\n${this.show()}`);
      return running.every((p) => owned(p).length > 0) && running.reduce((n, p) => n + owned(p).length, 0) === this.partitions ? true : undefined;
    }, 500);
  }

  /** Each process's first errors and task assignments (where a failure starts), then its last lines. */
  show(): string {
    return this.procs.map((p, i) => {
      const lines = p.output().split('\n');
      const early = lines.filter((l) => l.includes('"level":"error"') || l.includes('tasks assigned')).slice(0, 15);
      return `--- process ${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${early.join('\n')}\n...\n${lines.slice(-25).join('\n')}`;
    }).join('\n');
  }

  /** Records of the two Kafka inputs read by all processes (their /metrics). */
  async readByAll(): Promise<number> {
    let n = 0;
    for (const p of this.procs) {
      const m = await scrape(p.metricsPort);
      if (m) n += ['traffic.activations', 'traffic.actions'].reduce((a, operator) => a + (metric(m, 'sluice_records_in_total', { operator }) ?? 0), 0);
    }
    return n;
  }

  /** Records of the two Kafka inputs a process has read for task `task-<i>`, by its /metrics. */
  async readFor(p: RunningJob, i: number): Promise<number | undefined> {
    const m = await scrape(p.metricsPort);
    if (!m) return undefined;
    return ['traffic.activations', 'traffic.actions'].reduce((n, operator) => n + (metric(m, 'sluice_records_in_total', { operator, task: `task-${i}` }) ?? 0), 0);
  }

  /** Stage tasks (of both stages) with a completed checkpoint, by the processes' logs. */
  checkpointed(): Set<string | undefined> {
    return new Set(this.procs.flatMap((p) => logLines(p).filter((l) => / complete$/.test(l.msg) && l.msg.includes('checkpoint')).map((l) => l.task)));
  }

  /**
   * Stage tasks (of both stages, `task-<i>` / `<stage>.task-<i>`) that process `p` runs now and
   * has completed a checkpoint of itself since it last gained them: a hand-off checkpoint another
   * process took of the task does not count (a new owner may have restored none of its own).
   */
  ownCheckpoints(p: RunningJob, stages: readonly string[]): { done: string[]; missing: string[] } {
    const lines = logLines(p);
    const done: string[] = [];
    const missing: string[] = [];
    for (const i of owned(p)) {
      // Since the last assignment that did not include i (or the start).
      let from = 0;
      lines.forEach((l, at) => {
        if (l.msg.startsWith('tasks assigned') && !(l.tasks ?? []).includes(i)) from = at + 1;
      });
      for (const stage of stages) {
        const id = stage ? `${stage}.task-${i}` : `task-${i}`;
        const has = lines.slice(from).some((l) => l.task === id && / complete$/.test(l.msg) && l.msg.startsWith('checkpoint'));
        (has ? done : missing).push(id);
      }
    }
    return { done, missing };
  }

  /** Until every stage task has completed a checkpoint and `share` of the records are read; returns the records read. */
  async warmedUp(total: number, share: number): Promise<number> {
    const expected = recordsToRead(total, MALFORMED, this.partitions);
    await until('a completed checkpoint in every task of both stages', 180_000, async () => (this.checkpointed().size >= 2 * this.partitions ? true : undefined), 200);
    return until(`${share} of the records read`, 180_000, async () => {
      const n = await this.readByAll();
      return n >= share * expected.total ? n : undefined;
    }, 100);
  }

  /** Partitions whose task group has not committed their end offset yet (`topic:p committed/end`). */
  async behind(): Promise<string[]> {
    const out: string[] = [];
    for (const topic of ['activations', 'actions'] as const) {
      const end = await this.kafka.endOffsets(this.d.topics[topic]);
      for (let i = 0; i < this.partitions; i++) {
        const done = await this.kafka.committed(`${this.d.env['KAFKA_GROUP']!}.${topic}.task-${i}`, this.d.topics[topic]).catch(() => ({}) as Record<number, number>);
        if ((done[i] ?? -1) < end[i]!) out.push(`${topic}:${i} ${done[i] ?? -1}/${end[i]}`);
      }
    }
    return out;
  }

  /**
   * Waits until every offset is committed, drains the running processes (SIGUSR2), and
   * validates the run folder. `metadataOf`: the events whose metadata is in the job's bucket
   * (default `total`; less when the rest was produced with its metadata aside).
   */
  async drainAndValidate(t: TestContext, total: number, running: readonly RunningJob[], metadataOf = total): Promise<void> {
    const expected = recordsToRead(total, MALFORMED, this.partitions);
    const experiments = recordsToRead(metadataOf, MALFORMED, this.partitions).experiments;
    const commitDeadline = Date.now() + 360_000;
    for (let left = await this.behind(); left.length > 0; left = await this.behind()) {
      if (Date.now() > commitDeadline) assert.fail(`not every offset committed after 360 s: ${left.join(', ')}\n${this.show()}`);
      await sleep(1000);
    }
    await sleep(2000);
    for (const p of running) p.child.kill('SIGUSR2');
    for (const p of running) {
      const code = await Promise.race([p.exited, deadline(180_000, 'timeout')]);
      assert.equal(code, 0, `a process did not drain and exit 0 (${code}):\n${this.show()}`);
    }
    const folder = runFolder(this.d);
    const tasks = readdirSync(join(folder, 'tasks')).sort();
    t.diagnostic(`task folders: ${tasks.join(', ')} in ${folder}`);
    assert.equal(tasks.length, 2 * this.partitions, 'one folder per stage task');
    assert.equal(existsSync(join(folder, 'summary.json')), false, 'no whole-run summary: each task has its own');
    const report = await validateRun({ run: folder });
    const text = formatReport(report);
    t.diagnostic(text.split('\n').slice(0, 12).join('\n'));
    assert.deepEqual(report.mismatches, [], text);
    assert.deepEqual(report.failures, [], text);
    assert.ok(report.rowsCompared > 0);
    // Exactly once: every activation and action read is archived once (malformed ones are dead-lettered).
    assert.equal(report.archived.activations + report.archived.actions + expected.malformed, expected.activations + expected.actions, JSON.stringify(report.archived));
    // The metadata bucket is read by every task of the first stage.
    assert.equal(report.archived.metadata, this.partitions * experiments);
  }

  /**
   * What a run of the flagship as tasks leaves on the broker under the job's name (its task
   * group, repartition topics, their readers' groups, the checkpoint markers' groups): deleted
   * before and after, as stale committed offsets there would be read by a fresh run.
   */
  async cleanJob(): Promise<void> {
    await this.kafka.withAdmin(async (a) => {
      const groups = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`sluice.${this.job}.`));
      if (groups.length) await a.deleteGroups(groups).catch(() => undefined);
      const topics = (await a.listTopics()).filter((x) => x.startsWith(`sluice.${this.job}.`));
      if (topics.length) await a.deleteTopics({ topics }).catch(() => undefined);
      for (let i = 0; i < 50 && (await a.listTopics()).some((x) => topics.includes(x)); i++) await sleep(200);
    });
  }

  killAll(): void {
    for (const p of this.procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }

  /**
   * After the tests: the processes killed, the job's groups and topics, each deployment's topics and
   * task groups deleted; its tables and run folder too unless SLUICE_TEST_KEEP=1, which also keeps
   * every process's whole output beside the run folder and the job's topics (repartition, dead
   * letter) to read after a failure; the processes then keep every checkpoint too (`jobEnv`).
   * The NATS buckets are the caller's.
   */
  async dispose(): Promise<void> {
    const keep = process.env.SLUICE_TEST_KEEP === '1';
    if (keep && this.d) this.procs.forEach((p, i) => writeFileSync(join(this.d.dir, `process-${i}.log`), p.output()));
    this.killAll();
    if (!keep) await this.cleanJob().catch(() => undefined);
    for (const x of this.deployments) {
      await this.kafka.withAdmin(async (a) => {
        const existing = new Set(await a.listTopics());
        const topics = Object.values(x.topics).filter((t) => existing.has(t));
        if (topics.length && !keep) await a.deleteTopics({ topics });
        const groups = (['activations', 'actions'] as const).flatMap((topic) => Array.from({ length: this.partitions }, (_, i) => `${x.env['KAFKA_GROUP']!}.${topic}.task-${i}`));
        await a.deleteGroups(groups).catch(() => undefined);
      }).catch(() => undefined);
      if (!keep) {
        await dropTables(Object.values(x.tables));
        rmSync(x.dir, { recursive: true, force: true });
      }
    }
  }
}
