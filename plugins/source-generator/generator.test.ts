import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock } from '../../core/api/index.ts';
import type { Row, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { generatorPlugin, generatorOutputs } from './index.ts';
import type { GeneratorConfig } from './spec.ts';
import { Prng } from './prng.ts';

const fields = {
  user_id: { int: [1, 1000] },
  amount: { float: [0, 500] },
  ts: { sequence: { start: 1_700_000_000_000, step: 10, jitter: 50 } },
  kind: { one_of: ['click', 'save', 'view'] },
  event_id: { id: 'evt-' },
  flag: { bool: 0.25 },
  src: { const: 'web' },
} as const;

const base = { seed: 7, fields } as unknown as GeneratorConfig;

async function make(config: GeneratorConfig, clock = systemClock, position?: unknown): Promise<SourceInstance> {
  const src = await generatorPlugin.create({ id: 'gen', job: 'j', config, deps: { clock }, logger: undefined as never });
  await src.open(position);
  return src;
}

async function drain(src: SourceInstance, max = 1000, polls = Infinity): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for (let i = 0; i < polls; i++) {
    const chunks = await src.poll(max);
    if (chunks === null) break;
    out.push(...chunks);
  }
  return out;
}

const rows = (chunks: SourceChunk[], output?: string) => chunks.filter((c) => c.output === output).flatMap((c) => c.values as Row[]);

void test('the same seed gives the same records whatever the poll sizes; another seed differs', async () => {
  const a = rows(await drain(await make({ ...base, count: 5000 }), 1000));
  const b = rows(await drain(await make({ ...base, count: 5000 }), 37));
  const c = rows(await drain(await make({ ...base, count: 5000, seed: 8 }), 1000));
  assert.equal(a.length, 5000);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

void test('fields follow their kinds and bounds', async () => {
  const all = rows(await drain(await make({ ...base, count: 20_000 })));
  const kinds = new Set<unknown>();
  let trues = 0;
  all.forEach((r, i) => {
    assert.ok(Number.isInteger(r.user_id) && (r.user_id as number) >= 1 && (r.user_id as number) <= 1000);
    assert.ok((r.amount as number) >= 0 && (r.amount as number) < 500);
    const ideal = 1_700_000_000_000 + i * 10;
    assert.ok((r.ts as number) <= ideal && (r.ts as number) >= ideal - 50, `ts ${String(r.ts)} vs ${ideal}`);
    assert.equal(r.event_id, `evt-${i}`);
    assert.equal(r.src, 'web');
    kinds.add(r.kind);
    if (r.flag === true) trues++;
  });
  assert.deepEqual([...kinds].sort(), ['click', 'save', 'view']);
  assert.ok(Math.abs(trues / all.length - 0.25) < 0.02, `bool share ${trues / all.length}`);
  assert.ok(all.some((r, i) => i > 0 && (r.ts as number) < (all[i - 1]!.ts as number)), 'jitter puts some timestamps out of order');
  const ids = new Set(all.map((r) => r.user_id));
  assert.ok(ids.size > 990, 'ints cover their range');
});

void test('a restore from position() continues exactly where an uninterrupted run goes', async () => {
  const whole = rows(await drain(await make({ ...base, count: 3000 }), 400));
  const first = await make({ ...base, count: 3000 });
  const part = rows(await drain(first, 400, 3));
  const position = JSON.parse(JSON.stringify(first.position())) as unknown;
  assert.deepEqual(position, { '': 1200 });
  const rest = rows(await drain(await make({ ...base, count: 3000 }, systemClock, position), 333));
  assert.deepEqual([...part, ...rest], whole);
});

void test('count ends the input; without count the generator never ends', async () => {
  const src = await make({ ...base, count: 10 });
  assert.equal(rows(await drain(src, 4)).length, 10);
  assert.equal(await src.poll(4), null);
  const endless = await make(base);
  for (let i = 0; i < 20; i++) assert.equal(((await endless.poll(100)) ?? []).reduce((n, c) => n + c.values!.length, 0), 100);
  assert.deepEqual(endless.position(), { '': 2000 });
});

void test('rate limits records per second of the clock service', async () => {
  const clock = new ManualClock(1_000_000);
  const src = await make({ ...base, rate: 100 }, clock);
  const count = async () => ((await src.poll(1000)) ?? []).reduce((n, c) => n + c.values!.length, 0);
  assert.equal(await count(), 0);
  clock.advance(50);
  assert.equal(await count(), 5);
  clock.advance(1000);
  assert.equal(await count(), 100);
  clock.advance(10_100);
  assert.equal(await count(), 1000, 'a poll still takes at most maxRecords');
  assert.equal(await count(), 10, 'and the rest of the allowance next time');
  assert.equal(await count(), 0);
});

void test('partitions get records round-robin by index, stable across poll sizes', async () => {
  const config = { ...base, count: 1000, partitions: 3 };
  const src = await make(config);
  assert.deepEqual(src.partitions?.(), [0, 1, 2]);
  const chunks = await drain(src, 100);
  for (const p of [0, 1, 2]) {
    const ids = chunks.filter((c) => c.partition === p).flatMap((c) => (c.values as Row[]).map((r) => Number(String(r.event_id).slice(4))));
    assert.ok(ids.every((i) => i % 3 === p));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  }
  const other = rows(await drain(await make(config), 77));
  assert.deepEqual(new Set(rows(chunks)), new Set(other));
});

void test('named outputs are separate streams with their own counts, weights and partitions', async () => {
  const config = {
    seed: 3,
    outputs: {
      actions: { fields: { user_id: { int: [1, 10] } }, weight: 3, partitions: 2 },
      activations: { fields: { user_id: { int: [1, 10] }, group: { one_of: ['a', 'b'] } }, weight: 1, count: 50 },
    },
    count: 400,
  } as unknown as GeneratorConfig;
  const src = await make(config);
  assert.deepEqual(src.partitions?.(), [
    { output: 'actions', partition: 'actions/0' },
    { output: 'actions', partition: 'actions/1' },
    { output: 'activations', partition: 'activations/0' },
  ], 'each named output declares its own partitions only');
  const first = (await src.poll(400))!;
  assert.equal(rows(first, 'actions').length, 300);
  assert.equal(rows(first, 'activations').length, 50);
  const all = [...first, ...(await drain(src, 400))];
  assert.equal(rows(all, 'actions').length, 400);
  assert.equal(rows(all, 'activations').length, 50);
  assert.deepEqual(src.position(), { actions: 400, activations: 50 });
  assert.notDeepEqual(rows(all, 'actions').slice(0, 50).map((r) => r.user_id), rows(all, 'activations').map((r) => r.user_id));
});

void test('plan reports outputs and field types; check catches bad configs', () => {
  assert.deepEqual(generatorPlugin.plan!(base), {
    fields: { '': { user_id: 'int', amount: 'double', ts: 'int', kind: 'string', event_id: 'string', flag: 'bool', src: 'string' } },
  });
  const named = { seed: 1, outputs: { a: { fields: { x: { one_of: [1, 2.5] } }, weight: 1 } } } as unknown as GeneratorConfig;
  assert.deepEqual(generatorPlugin.plan!(named), { outputs: ['a'], fields: { a: { x: 'double' } } });
  assert.equal(generatorPlugin.check!({ seed: 1 } as GeneratorConfig).length, 1);
  assert.match(generatorPlugin.check!({ seed: 1, fields: { x: { int: [5, 1] } } } as unknown as GeneratorConfig)[0]!.message, /empty/);
  assert.match(generatorPlugin.check!({ ...base, outputs: named.outputs })[0]!.message, /not both/);
  assert.deepEqual(generatorPlugin.check!(base), []);
});

void test('sequence start accepts ISO-8601 and a duration step', () => {
  const [o] = generatorOutputs({ seed: 1, fields: { ts: { sequence: { start: '2024-01-01T00:00:00Z', step: 1000, jitter: 0 } } } } as unknown as GeneratorConfig);
  const prng = new Prng();
  assert.equal(o!.fields[0]!.gen(prng, 2), Date.UTC(2024, 0, 1) + 2000);
});

void test('bad positions are refused', async () => {
  await assert.rejects(make(base, systemClock, { '': -1 }), /bad position/);
});
