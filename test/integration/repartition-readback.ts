/**
 * Reads a kept repartition topic back as the downstream stage reads it (read_committed, with
 * the corrected filter of lib/kafka-client/read-committed.ts: import this module before
 * anything loads kafkajs), for the tests of the flagship as tasks: which records a stage's
 * committed output holds, whatever its reader then did with them. A record committed twice
 * (same key) means the upstream stage's exactly-once output failed; none means a wrong count
 * downstream came from the reader.
 */
import { Kafka, logLevel } from '../../lib/kafka-client/kafkajs.ts';
import { decodeControl } from '../../lib/kafka-client/control-record.ts';
import { unpack } from '../../lib/kafka-client/packed-records.ts';
import { BROKERS } from './kafka-helpers.ts';

export interface ReadBack {
  readonly records: number;
  /** Records whose key an earlier committed record of the topic had. */
  readonly twice: number;
  /** A few of them: `partition offset (first at offset)`. */
  readonly examples: string[];
}

/** Every committed record of `topic` (packed messages unpacked, control records left out), keyed by `keyOf` of its JSON payload. */
export async function readCommitted(topic: string, keyOf: (row: Record<string, unknown>) => string, limitMs = 60_000): Promise<ReadBack> {
  const kafka = new Kafka({ brokers: BROKERS, clientId: 'sluice-readback', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const group = `sluice-readback-${Date.now().toString(36)}`;
  const consumer = kafka.consumer({ groupId: group, maxBytesPerPartition: 4 << 20 });
  const first = new Map<string, string>();
  const examples: string[] = [];
  let records = 0;
  let twice = 0;
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    const done = new Set<number>();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!m.value || decodeControl(m.value)) continue;
          for (const payload of unpack(m.value, Number(m.timestamp))?.payloads ?? [m.value.toString()]) {
            records++;
            const key = keyOf(JSON.parse(payload) as Record<string, unknown>);
            const at = `${batch.partition}@${m.offset}`;
            const seen = first.get(key);
            if (seen === undefined) first.set(key, at);
            else if (++twice <= 5) examples.push(`${at} (first at ${seen})`);
          }
        }
        // The last offsets of a partition are transaction markers, which no batch returns.
        if (Number(batch.lastOffset()) + 2 >= ends.get(batch.partition)!) done.add(batch.partition);
        if (done.size === ends.size) finish();
      },
    });
    for (const [p, end] of ends) if (end === 0) done.add(p);
    if (done.size < ends.size) await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, limitMs).unref())]);
    if (done.size < ends.size) throw new Error(`read back ${topic}: partitions ${[...ends.keys()].filter((p) => !done.has(p)).join(', ')} not read to the end in ${limitMs} ms`);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  }
  return { records, twice, examples };
}
