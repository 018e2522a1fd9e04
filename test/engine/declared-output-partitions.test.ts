/**
 * Partitions a source declares per output (`OutputPartition`): a generator with two named
 * outputs, no idle timeout, declares `a/0` for output `a` and `b/0` for output `b` only. Its
 * watermark must advance while it reads; a partition declared for an output it never feeds
 * would hold the watermark at −∞ until end of input, and no record would ever be late.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { collection, compileYaml, resetFixtures } from './fixtures.ts';
import { lateMarker } from './test-operators.ts';

beforeEach(resetFixtures);

void test('a generator with named outputs and no idle timeout advances its watermark before end of input', async () => {
  const n = 20_000;
  const pipeline = compileYaml(
    `
name: per_output_partitions
sources:
  g:
    generator:
      seed: 7
      outputs:
        a: { count: ${n}, fields: { ts: { sequence: { start: 1000000, step: 1, jitter: 200 } } } }
        b: { count: ${n}, fields: { ts: { sequence: { start: 1000000, step: 1, jitter: 200 } } } }
    event_time: { field: ts, max_out_of_orderness: 0ms }
operators:
  judge:
    input: g.a
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
  other:
    input: g.b
    collect: { name: other }
late: { collect: { name: late } }
`,
    [generatorPlugin, lateMarker],
  );
  const result = await runJob(pipeline, { checkpoint: { interval: 0, store: null }, restart: { maxAttempts: 0 } });
  assert.equal(result.status, 'finished');
  const out = collection('out').rows.length;
  const late = collection('late').rows.length;
  assert.equal(out + late, n, 'every record of a is either passed on or late');
  assert.equal(collection('other').rows.length, n);
  // Jitter 200 with no out-of-orderness allowance: once the watermark moves, a share of the
  // records arrives behind it (most of the ones drawn more than a batch's span back).
  assert.ok(late > n / 100, `late: ${late} of ${n}`);
});
