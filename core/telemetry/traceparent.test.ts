import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LINKS, PROBES, formatTraceparent, parseTraceparent, producerLinks, traceparentProbes, traceparentsIn } from './traceparent.ts';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const tp = (i: number, flags = '01') => `00-${i.toString(16).padStart(32, '0')}-${(i + 1).toString(16).padStart(16, '0')}-${flags}`;

void test('a traceparent parses to a remote span context and formats back; malformed ones are refused', () => {
  const sc = parseTraceparent(TP);
  assert.deepEqual(sc, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  assert.equal(formatTraceparent(sc!), TP);
  assert.equal(parseTraceparent(TP.replace(/-01$/, '-00'))!.traceFlags, 0);
  for (const bad of ['', '00-aa-bb-01', TP.toUpperCase(), `ff${TP.slice(2)}`, `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`]) {
    assert.equal(parseTraceparent(bad), undefined, bad);
  }
});

void test('probes read at most PROBES records, spread from the first to the last, and keep their index', () => {
  const read: number[] = [];
  const probes = traceparentProbes(1000, (i) => (read.push(i), i < 500 ? tp(1) : i === 999 ? tp(2) : undefined));
  assert.equal(read.length, PROBES);
  assert.equal(read[0], 0);
  assert.equal(read.at(-1), 999);
  assert.ok(probes!.every((p) => p.value === (p.index < 500 ? tp(1) : tp(2))));
  assert.deepEqual(traceparentsIn(probes), [tp(1), tp(2)], 'distinct values');
  assert.deepEqual(traceparentsIn(probes, 500, 1000), [tp(2)], 'only the probes of a slice');
  assert.equal(traceparentsIn(probes, 600, 900), undefined);
  assert.deepEqual(traceparentProbes(2, () => TP), [{ index: 0, value: TP }, { index: 1, value: TP }]);
  assert.equal(traceparentProbes(0, () => TP), undefined);
  assert.equal(traceparentProbes(5, () => undefined), undefined);
});

void test('producer links: sampled, valid, distinct contexts only, at most MAX_LINKS', () => {
  const values = [tp(1), tp(1), tp(2, '00'), 'junk', ...Array.from({ length: 20 }, (_, i) => tp(10 + i))];
  const links = producerLinks(values);
  assert.equal(links.length, MAX_LINKS);
  assert.equal(links[0]!.traceId, tp(1).split('-')[1]);
  assert.equal(new Set(links.map((l) => l.spanId)).size, MAX_LINKS);
  assert.ok(links.every((l) => l.traceFlags === 1 && l.isRemote));
});
