/** The compliance checks fail on plugins that break the contract, and the sink harness applies the engine's failure rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field, PermanentSinkError, services, TransientSinkError } from '../api/index.ts';
import type { SourceChunk } from '../api/index.ts';
import { sinkChecks, SinkTestHarness, sourceChecks } from './index.ts';
import type { ComplianceCheck } from './index.ts';

const check = (checks: ComplianceCheck[], name: RegExp) => checks.find((c) => name.test(c.name))!;

/** Counts to `count`; `forgetful` restarts from 0 on restore, `leaky` leaves a span open, `fragile` fails a second close. */
function counter(flaw: 'none' | 'forgetful' | 'leaky' | 'fragile') {
  return definePlugin({
    kind: 'source', name: `counter_${flaw}`, summary: 'Counts.', spec: field.object({ count: field.integer({ doc: 'Records.', min: 0 }) }),
    deps: { tracer: services.tracer },
    create: ({ config, deps }) => {
      let next = 0;
      let closed = false;
      return {
        open: (position: unknown) => ((next = flaw === 'forgetful' ? 0 : ((position as number | undefined) ?? 0)), Promise.resolve()),
        poll: (max: number): Promise<SourceChunk[] | null> => {
          if (flaw === 'leaky') deps.tracer.startSpan('counter.poll');
          if (next >= config.count) return Promise.resolve(null);
          const values = [];
          while (values.length < Math.min(max, 3) && next < config.count) values.push({ n: next++ });
          return Promise.resolve([{ partition: 0, values }]);
        },
        position: () => next,
        close: () => {
          if (flaw === 'fragile' && closed) return Promise.reject(new Error('already closed'));
          closed = true;
          return Promise.resolve();
        },
      };
    },
  });
}

void test('the source checks pass a correct source', async () => {
  for (const c of sourceChecks(counter('none'), { config: { count: 10 }, invalidConfigs: [{ count: -1 }] })) await c.run();
});

void test('the source checks catch a source that does not resume from its position', async () => {
  await assert.rejects(check(sourceChecks(counter('forgetful'), { config: { count: 10 } }), /resumes/).run(), /one uninterrupted read/);
});

void test('the source checks catch a span left open', async () => {
  await assert.rejects(check(sourceChecks(counter('leaky'), { config: { count: 10 } }), /spans/).run(), /every span the plugin started is ended/);
});

void test('the source checks catch a close that fails the second time', async () => {
  await assert.rejects(check(sourceChecks(counter('fragile'), { config: { count: 10 } }), /closes/).run(), /already closed/);
});

void test('the config check catches an invalid config the plugin accepts, and an expected metric not recorded', async () => {
  await assert.rejects(check(sourceChecks(counter('none'), { config: { count: 10 }, invalidConfigs: [{ count: 5 }] }), /config/).run(), /is refused/);
  await assert.rejects(check(sourceChecks(counter('none'), { config: { count: 10 }, expect: { metrics: ['sluice_counted'] } }), /spans/).run(), /'sluice_counted' is recorded/);
});

/** Keeps rows in memory; `position` is their count. `sticky` ignores the restore position (duplicates on replay). */
function memorySink(target: unknown[][], flaw: 'none' | 'sticky') {
  return definePlugin({
    kind: 'sink', name: `memory_${flaw}`, summary: 'Keeps rows.', spec: field.object({ slot: field.integer({ doc: 'Which list.', min: 0 }) }),
    create: ({ config }) => {
      const rows = (target[config.slot] ??= []);
      return {
        open: (position: unknown) => {
          if (flaw === 'none') rows.length = (position as number | undefined) ?? 0;
          return Promise.resolve();
        },
        write: (batch) => (rows.push(...batch.values), Promise.resolve()),
        checkpoint: () => Promise.resolve(rows.length),
        close: () => Promise.resolve(),
      };
    },
  });
}

void test('the sink checks pass a correct sink and catch one that duplicates on restore', async () => {
  const target: unknown[][] = [];
  let slot = 0;
  const options = { config: () => ({ slot: slot++ }), readBack: (c: unknown) => Promise.resolve(target[(c as { slot: number }).slot] as Record<string, unknown>[]) };
  for (const c of sinkChecks(memorySink(target, 'none'), options)) await c.run();
  await assert.rejects(check(sinkChecks(memorySink(target, 'sticky'), options), /restores/).run(), /every record once/);
});

void test('the sink harness retries transient failures, dead-letters permanent ones and rejected records, and gives up on unknown errors', async () => {
  const calls: string[] = [];
  let mode: 'transient' | 'permanent' | 'reject' | 'broken' | 'ok' = 'transient';
  const plugin = definePlugin({
    kind: 'sink', name: 'moody', summary: 'Fails on purpose.', spec: field.object({}),
    create: () => ({
      open: () => Promise.resolve(),
      write: (batch) => {
        calls.push(mode);
        if (mode === 'transient') return (mode = 'ok'), Promise.reject(new TransientSinkError('busy'));
        if (mode === 'permanent') return Promise.reject(new PermanentSinkError('refused'));
        if (mode === 'broken') return Promise.reject(new Error('bug'));
        if (mode === 'reject') return Promise.resolve({ rejected: [{ index: 1, error: new Error('too big') }] });
        return Promise.resolve(batch.length ? undefined : undefined);
      },
      close: () => Promise.resolve(),
    }),
  });
  const h = await SinkTestHarness.open(plugin, {});
  await h.write([{ value: { a: 1 }, time: 1 }]);
  assert.deepEqual(h.written, [{ a: 1 }]);
  assert.equal(h.counters.retries, 1);
  mode = 'permanent';
  await h.write([{ value: { a: 2 }, time: 2 }, { value: { a: 3 }, time: 3 }]);
  mode = 'reject';
  await h.write([{ value: { a: 4 }, time: 4 }, { value: { a: 5 }, time: 5 }]);
  assert.deepEqual(h.deadLettered.map((d) => d.value), [{ a: 2 }, { a: 3 }, { a: 5 }]);
  assert.deepEqual(h.written, [{ a: 1 }, { a: 4 }]);
  mode = 'broken';
  await assert.rejects(h.write([{ value: { a: 6 }, time: 6 }]), /bug/);
  assert.equal(calls.filter((c) => c === 'broken').length, 3, 'unknown errors are tried unknownErrorAttempts (3) times');
  await h.close();
});
