import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifest, encodeManifest, type CheckpointManifest } from '../api/index.ts';

const manifest: CheckpointManifest = {
  id: 7, job: 'j', createdAt: 1000, generation: 2,
  chunks: [{ name: 'state-0', bytes: 12, crc32: 99 }],
  sources: { in: { offset: 3 } }, sinks: { out: 120 },
  runtime: { watermarks: [Number.NEGATIVE_INFINITY, 5, Number.POSITIVE_INFINITY] },
  savepoint: { id: 'sp-1' },
};

void test('the manifest codec round-trips non-finite numbers', () => {
  assert.deepEqual(decodeManifest(encodeManifest(manifest)), manifest);
  assert.deepEqual(decodeManifest(encodeManifest(manifest, { indent: 2 })), manifest);
});

void test('the manifest codec writes the stores\' format: ±∞ tagged as $number', () => {
  const text = encodeManifest(manifest);
  assert.match(text, /\{"\$number":"-Infinity"\}/);
  assert.equal(encodeManifest(manifest, { indent: 2 }), JSON.stringify(JSON.parse(text), null, 2));
  assert.throws(() => decodeManifest('{not json'), SyntaxError);
});
