import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { KeyPartitioner } from './key-partitioner.ts';

void test('a key gets the partition kafkajs\' default partitioner gives it (the Java client\'s murmur2)', () => {
  for (const partitions of [1, 3, 4, 16]) {
    const kafkajs = Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const ours = new KeyPartitioner(partitions);
    for (const key of ['', 'e1', '7', '["x",1]', 'ünïcode', 'exp_0042', ...Array.from({ length: 200 }, (_, i) => `user-${i * 7919}`)]) {
      const expected = kafkajs({ topic: 't', partitionMetadata: metadata, message: { key, value: null } });
      assert.equal(ours.partitionOf(key), expected, `key ${JSON.stringify(key)} over ${partitions}`);
      assert.equal(ours.partitionOf(key), expected, 'cached');
    }
  }
});
