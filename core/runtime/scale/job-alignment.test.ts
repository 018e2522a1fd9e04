/**
 * Alignment across the tasks of a job: tasks of one process share their minimum directly;
 * processes share theirs through the board (here an in-memory one that delivers at once);
 * a task nobody published holds the others at −∞ (with a board); a stopped task keeps its
 * last value until its new owner publishes; an idle one leaves the minimum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskWatermarks, WatermarkBoard } from '../../api/index.ts';
import { SourceWatermarks } from '../engine/source-watermarks.ts';
import { SourceAlignment } from '../engine/watermark-alignment.ts';
import { JobAlignment, alignedTasks } from './job-alignment.ts';
import type { Stage } from './stages.ts';

const IDLE = 1000;
const NEG = Number.NEGATIVE_INFINITY;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

/** A topic everyone reads from the beginning, delivered at once. */
class Hub {
  readonly log: TaskWatermarks[] = [];
  private readonly readers: ((e: readonly TaskWatermarks[]) => void)[] = [];
  board(): WatermarkBoard {
    return {
      open: (on) => {
        on([...this.log]);
        this.readers.push(on);
        return Promise.resolve();
      },
      publish: (entries) => {
        this.log.push(...entries);
        for (const r of this.readers) r(entries);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
}

const expected = new Map([['default', ['task-0', 'task-1', 'task-2']]]);

async function process(hub: Hub | undefined, name: string, tasks = expected): Promise<JobAlignment> {
  const a = new JobAlignment({ expected: tasks, board: hub?.board(), process: name, logger: silent, publishMs: 60_000 });
  await a.open();
  return a;
}

/** Task `id` of `a`, one partition at event time `t` (out-of-orderness 0: W = t − 1), max drift 100. */
function task(a: JobAlignment, id: string, t?: number) {
  const g = a.group(id, 'default');
  const w = new SourceWatermarks(0, IDLE);
  const align = new SourceAlignment(g, w, { group: 'default', maxDrift: 100, updateInterval: 0 });
  w.declare(['p'], 0);
  align.note('p', 'p');
  const see = (ts: number, now = 0) => w.observe('p', [ts], 0, 1, now);
  if (t !== undefined) see(t);
  return { g, w, align, see, paused: () => (align.update(0), align.paused.has('p')) };
}

void test('tasks of one process share the minimum: the one ahead is paused until the lowest catches up', async () => {
  const a = await process(undefined, 'A');
  const t0 = task(a, 'task-0', 1000);
  const t1 = task(a, 'task-1', 5000);
  const t2 = task(a, 'task-2', 1050);
  assert.equal(t1.g.minimum(), 999);
  assert.equal(t1.paused(), true);
  assert.equal(t0.paused(), false, 'the lowest task is never paused');
  assert.equal(t2.paused(), false, 'within the drift');
  t0.see(4950);
  t2.see(4990);
  assert.equal(t1.paused(), false);
});

void test('without a board, tasks not running here are not counted (each process aligns its own)', async () => {
  const a = await process(undefined, 'A');
  const t0 = task(a, 'task-0', 5000);
  assert.equal(t0.g.minimum(), 4999);
  assert.equal(t0.paused(), false);
});

void test('with a board, a task nobody published yet holds the others at −∞; a task claimed here but still opening too', async () => {
  const hub = new Hub();
  const a = await process(hub, 'A');
  const t0 = task(a, 'task-0', 5000);
  assert.equal(t0.g.minimum(), NEG, 'task-1 and task-2 run nowhere yet');
  assert.equal(t0.paused(), true);
  const b = await process(hub, 'B');
  b.claim('task-1');
  b.claim('task-2');
  const t1 = task(b, 'task-1', 5000);
  b.group('task-2', 'default'); // opening: no source started
  await b.publish();
  assert.equal(t0.g.minimum(), NEG, 'task-2 is still opening');
  const t2w = new SourceWatermarks(0, IDLE);
  // task-2's attempt builds its group again once open (a new one per attempt).
  const t2 = b.group('task-2', 'default');
  t2.join(t2w);
  t2w.declare(['p'], 0);
  await b.publish();
  assert.equal(t0.g.minimum(), NEG, 'task-2 started but has read nothing: it is waited for');
  t2w.observe('p', [4960], 0, 1, 0);
  await b.publish();
  await a.publish();
  assert.equal(t0.g.minimum(), 4959);
  assert.equal(t0.paused(), false, 'within the drift of task-2');
  assert.equal(t1.g.minimum(), 4959);
});

void test('across processes: a task ahead is paused by a lower one elsewhere; the minimum follows the published values', async () => {
  const hub = new Hub();
  const a = await process(hub, 'A');
  const b = await process(hub, 'B');
  const t0 = task(a, 'task-0', 1000);
  const t1 = task(b, 'task-1', 9000);
  const t2 = task(b, 'task-2', 1020);
  await a.publish();
  await b.publish();
  assert.equal(t1.paused(), true);
  assert.equal(t0.paused(), false);
  t0.see(8950);
  assert.equal(t1.paused(), true, 'A has not published yet');
  await a.publish();
  assert.equal(t1.paused(), true, 'task-2 (in B) is now the lowest');
  t2.see(8990);
  assert.equal(t1.paused(), false);
  assert.equal(t0.g.minimum(), 1019, 'B has not published task-2\'s new value yet');
  await b.publish();
  assert.equal(t0.g.minimum(), 8949, 'task-0 itself is now the lowest');
});

void test('a task stopped here keeps its last value in the minimum until its new owner publishes', async () => {
  const hub = new Hub();
  const a = await process(hub, 'A');
  const b = await process(hub, 'B');
  task(a, 'task-0', 1000);
  const t1 = task(b, 'task-1', 5000);
  task(b, 'task-2', 5000);
  await a.publish();
  a.release('task-0');
  await a.close();
  assert.equal(t1.g.minimum(), 999, 'A is gone (killed or stopped): its task holds the job at its last value');
  assert.equal(t1.paused(), true);
  // B takes task-0 over and restores it: until the restored source starts, the last value holds.
  b.claim('task-0');
  assert.equal(t1.g.minimum(), 999);
  const t0 = task(b, 'task-0', 4950);
  assert.equal(t1.g.minimum(), 4949);
  assert.equal(t1.paused(), false);
  t0.w.end();
  assert.equal(t1.g.minimum(), 4999, 'an ended task holds nothing back');
});

void test('an idle task leaves the minimum, here and on the board', async () => {
  const hub = new Hub();
  const a = await process(hub, 'A');
  const b = await process(hub, 'B');
  const t0 = task(a, 'task-0', 1000);
  const t1 = task(b, 'task-1', 5000);
  task(b, 'task-2', 5000);
  await a.publish();
  assert.equal(t1.paused(), true);
  t0.w.checkIdle(IDLE);
  await a.publish();
  assert.deepEqual(hub.log.at(-1), { task: 'task-0', process: 'A', groups: { default: null } });
  assert.equal(t1.g.minimum(), 4999);
  assert.equal(t1.paused(), false);
});

void test('only changes are published, and a process ignores its own entries read back', async () => {
  const hub = new Hub();
  const a = await process(hub, 'A');
  const t0 = task(a, 'task-0', 1000);
  await a.publish();
  await a.publish();
  assert.equal(hub.log.length, 1);
  t0.see(2000);
  a.release('task-0');
  await a.publish();
  assert.deepEqual(hub.log.map((e) => e.groups.default), [999, 1999]);
  // A's own stale entry read back (e.g. on a restart of its reader) does not replace its last value.
  await hub.board().publish([{ task: 'task-0', process: 'A', groups: { default: 5 } }]);
  const other = task(a, 'task-1', 3000);
  assert.equal(other.g.minimum(), NEG, 'task-2 unknown');
  a.claim('task-2');
  task(a, 'task-2', 3000);
  assert.equal(other.g.minimum(), 1999);
});

void test('alignedTasks: every task of every stage that reads an aligned source, per group', () => {
  const src = (id: string, group?: string) => ({ id, eventTime: group ? { maxOutOfOrderness: 0, alignment: { group, maxDrift: 1, updateInterval: 0 } } : { maxOutOfOrderness: 0 } });
  const stage = (name: string, sources: ReturnType<typeof src>[]) => ({ name, pipeline: { sources } }) as unknown as Stage;
  const got = alignedTasks([stage('', [src('a', 'default'), src('b', 'default')]), stage('by_x', [src('by_x'), src('meta', 'slow')])], 2);
  assert.deepEqual([...got], [['default', ['task-0', 'task-1']], ['slow', ['by_x.task-0', 'by_x.task-1']]]);
});
