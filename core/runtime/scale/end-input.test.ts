import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endInputOf } from './end-input.ts';
import type { JobHandle } from '../engine/index.ts';

type Attempt = NonNullable<ReturnType<JobHandle['current']>>;

/** A task instance whose attempts are swapped by the test; `ended` resolves when an attempt that should end is told to. */
function fakeHandle() {
  let current: { endInput(reason: string): void; calls: number } | undefined;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const attempt = (ends: boolean) => ({ calls: 0, endInput() { this.calls++; if (ends) resolveEnded(); } });
  return {
    handle: { current: () => current as unknown as Attempt | undefined },
    ended,
    set: (a: ReturnType<typeof attempt> | undefined) => (current = a),
    attempt,
  };
}

void test('a task instance that has not started yet ends its input once its attempt is there', async () => {
  const f = fakeHandle();
  const draining = endInputOf(f.handle, f.ended, 5);
  await new Promise((r) => setTimeout(r, 20));
  const a = f.attempt(true);
  f.set(a);
  await draining;
  assert.equal(a.calls, 1);
});

void test('an attempt that fails after being told is replaced: the next attempt is told too, once', async () => {
  const f = fakeHandle();
  const first = f.attempt(false);
  f.set(first);
  const draining = endInputOf(f.handle, f.ended, 5);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(first.calls, 1);
  const second = f.attempt(true);
  f.set(second);
  await draining;
  assert.equal(first.calls, 1);
  assert.equal(second.calls, 1);
});

void test('no ending to wait for: nothing to do', async () => {
  const f = fakeHandle();
  await endInputOf(f.handle, undefined, 5);
});
