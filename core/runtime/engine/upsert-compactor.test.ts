import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Batch, ChangeKind, Row } from '../../api/index.ts';
import { UpsertCompactor } from './upsert-compactor.ts';

const batch = (rows: [string, number, ChangeKind][]): Batch => ({
  length: rows.length,
  values: rows.map(([k, v]) => ({ k, v })),
  times: rows.map((_, i) => i),
  kinds: rows.map(([, , kind]) => kind),
});

const view = (b: Batch) => b.values.map((v, i) => [(v as Row).k, (v as Row).v, b.kinds?.[i] ?? 'insert']);

void test('compaction keeps each key\'s latest change, with the kind a consumer applying them one by one would see', () => {
  const c = new UpsertCompactor(['k']);
  c.add(batch([['a', 1, 'insert'], ['b', 1, 'update'], ['a', 2, 'update'], ['c', 1, 'insert'], ['d', 1, 'delete']]));
  c.add(batch([['b', 2, 'delete'], ['c', 2, 'delete'], ['d', 2, 'insert'], ['a', 3, 'update']]));
  assert.equal(c.size, 4);
  assert.equal(c.absorbed, 9);
  const out = c.take();
  // a: insert → insert (latest value); b: update, delete → delete; c: insert, delete → nothing;
  // d: delete, insert → update. Keys in the order first held.
  assert.deepEqual(view(out), [['a', 3, 'insert'], ['b', 2, 'delete'], ['d', 2, 'update']]);
  assert.deepEqual(out.times, [3, 0, 2]); // the latest change's time (index in its batch)
  assert.equal(c.size, 0);
  assert.equal(c.take().length, 0);
});

void test('a batch of inserts only stays without kinds; records without their key are passed on unmerged', () => {
  const c = new UpsertCompactor(['k']);
  c.add({ length: 3, values: [{ k: 'x', v: 1 }, { v: 2 }, { v: 3 }], times: [1, 2, 3] });
  const out = c.take();
  assert.equal(out.kinds, undefined);
  assert.deepEqual(out.values, [{ k: 'x', v: 1 }, { v: 2 }, { v: 3 }]);
});

void test('applying the compacted stream gives the same table as applying every change (property)', () => {
  const change = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 99 }), fc.constantFrom<ChangeKind>('insert', 'update', 'delete'));
  fc.assert(
    fc.property(fc.array(fc.array(change, { maxLength: 12 }), { maxLength: 6 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd')), (batches, existing) => {
      // A consistent changelog: insert only for absent keys, update/delete only for present ones.
      const present = new Set(existing);
      const table = new Map<string, number>(existing.map((k) => [k, -1]));
      const applied = new Map(table);
      const c = new UpsertCompactor(['k']);
      for (const raw of batches) {
        const rows: [string, number, ChangeKind][] = raw.map(([k, v, want]) => {
          const kind: ChangeKind = present.has(k) ? (want === 'insert' ? 'update' : want) : 'insert';
          if (kind === 'delete') present.delete(k);
          else present.add(k);
          return [k, v, kind];
        });
        for (const [k, v, kind] of rows) {
          if (kind === 'delete') applied.delete(k);
          else applied.set(k, v);
        }
        c.add(batch(rows));
      }
      const out = c.take();
      const keys = new Set<string>();
      for (let i = 0; i < out.length; i++) {
        const { k, v } = out.values[i] as { k: string; v: number };
        const kind = out.kinds?.[i] ?? 'insert';
        assert.ok(!keys.has(k), 'one change per key');
        keys.add(k);
        assert.equal(kind === 'insert', !table.has(k), `kind of ${k} fits the consumer's table`);
        if (kind === 'delete') table.delete(k);
        else table.set(k, v);
      }
      assert.deepEqual([...table].sort(), [...applied].sort());
    }),
    { seed: 20261205, numRuns: 500 },
  );
});
