import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SluiceError, definePlugin, field, services, systemClock } from '../../api/index.ts';
import type { Clock, Logger, SourceInstance } from '../../api/index.ts';
import { loadRuntimeConfig } from '../config/load.ts';
import { bind, createJobContainer, registerService, resolveDeps, resolveService, runtimeServices } from './container.ts';

const config = loadRuntimeConfig({ env: {}, nodeEnv: 'development' }).config;

/** A source that reads processing time from the clock it declares. */
const clockedSource = definePlugin({
  kind: 'source',
  name: 'clocked',
  summary: 'Test source that reads the clock service.',
  spec: field.object({}),
  deps: { clock: services.clock, logger: services.logger },
  create({ deps }): SourceInstance {
    const startedAt = deps.clock.now();
    return {
      open: async () => {},
      poll: async () => [{ partition: 0, values: [{ startedAt }] }],
      position: () => null,
      close: async () => {},
    };
  },
});

void test('a job container has the core services under their tokens', () => {
  const c = createJobContainer(config, { job: 'orders' });
  assert.equal(resolveService(c, services.clock), systemClock);
  assert.equal(typeof resolveService(c, services.logger).info, 'function');
  assert.equal(typeof resolveService(c, services.tracer).startSpan, 'function');
  assert.equal(typeof resolveService(c, services.meter).createCounter, 'function');
  assert.equal(resolveService(c, runtimeServices.job), 'orders');
  assert.equal(resolveService(c, runtimeServices.config), config);
  // Constructed once per container.
  assert.equal(c.resolve(services.logger.id), c.resolve(services.logger.id));
});

void test('engine.clock=logical gives a manual clock that starts at 0', () => {
  const c = createJobContainer({ ...config, engine: { ...config.engine, clock: 'logical' } });
  const clock = resolveService(c, services.clock);
  assert.ok(clock instanceof ManualClock);
  assert.equal(clock.now(), 0);
});

void test('a test swaps the clock by registering a ManualClock under its token, and the plugin receives it', async () => {
  const c = createJobContainer(config);
  const manual = new ManualClock(1_700_000_000_000);
  registerService(c, services.clock, manual);
  const deps = resolveDeps(c, clockedSource.deps, { kind: 'source', name: 'clocked', id: 'ticks' });
  assert.equal(deps.clock, manual);
  const instance = await clockedSource.create({ id: 'ticks', config: {}, deps, logger: deps.logger, job: 'j' });
  assert.deepEqual(await instance.poll(10), [{ partition: 0, values: [{ startedAt: 1_700_000_000_000 }] }]);
});

void test('overrides replace defaults; job containers are isolated from each other', () => {
  const manual = new ManualClock(5);
  const a = createJobContainer(config, { overrides: [bind<Clock>(services.clock, manual)] });
  const b = createJobContainer(config);
  assert.equal(resolveService(a, services.clock), manual);
  assert.equal(resolveService(b, services.clock), systemClock);
  registerService(b, services.clock, new ManualClock(9));
  assert.equal(resolveService(a, services.clock), manual);
});

void test('a missing service is one coded error naming the plugin, the block and every missing service', () => {
  const c = createJobContainer(config);
  assert.throws(
    () => resolveDeps(c, { state: services.stateBackend, store: services.checkpointStore, clock: services.clock }, { kind: 'operator', name: 'dedupe', id: 'unique' }),
    (error: unknown) =>
      error instanceof SluiceError &&
      error.code === 'E_PLUGIN_INIT' &&
      error.message === "operator 'unique' (plugin dedupe) needs 'sluice.stateBackend' (deps.state), 'sluice.checkpointStore' (deps.store), not registered in the job's container",
  );
  assert.throws(() => resolveService(c, services.stateBackend), /sluice\.stateBackend/);
});

void test('the job logger writes JSON lines at the configured level with secrets scrubbed', () => {
  const lines: string[] = [];
  const secretConfig = { ...config, log: { level: 'info' as const }, kafka: { sasl: { ...config.kafka.sasl, password: 'hunter2' } } };
  const c = createJobContainer(secretConfig, { job: 'j', logWrite: (l) => lines.push(l) });
  const logger = resolveService<Logger>(c, services.logger);
  logger.debug('hidden');
  logger.info('connecting with hunter2', { broker: 'b:9092', password: 'x', nested: { url: 'sasl://u:hunter2@b' } });
  logger.child({ operator: 'joined' }).warn('slow', { err: new SluiceError('E_CHECKPOINT', 'disk hunter2 full') });
  assert.equal(lines.length, 2);
  const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first?.['msg'], 'connecting with [redacted]');
  assert.equal(first?.['password'], '[redacted]');
  assert.deepEqual(first?.['nested'], { url: 'sasl://u:[redacted]@b' });
  assert.equal(first?.['job'], 'j');
  assert.equal(second?.['operator'], 'joined');
  assert.deepEqual(second?.['err'], { name: 'SluiceError', message: 'disk [redacted] full', code: 'E_CHECKPOINT' });
  assert.ok(!lines.join('').includes('hunter2'));
});
