import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taskPath } from './task-paths.ts';

void test('a path under the run folder goes to tasks/<task>/ of the run folder, keeping its sub-folders', () => {
  assert.equal(taskPath('runs/job/r1/archive/actions.jsonl', 'task-2', 'runs/job/r1'), 'runs/job/r1/tasks/task-2/archive/actions.jsonl');
  assert.equal(taskPath('/abs/r1/late.jsonl', 'counts.task-0', '/abs/r1'), '/abs/r1/tasks/counts.task-0/late.jsonl');
});

void test('a path outside the run folder, or with no run folder, goes to tasks/<task>/ of its own folder', () => {
  assert.equal(taskPath('out/alerts.jsonl', 'task-1', 'runs/job/r1'), 'out/tasks/task-1/alerts.jsonl');
  assert.equal(taskPath('out/alerts.jsonl', 'task-1', undefined), 'out/tasks/task-1/alerts.jsonl');
});
