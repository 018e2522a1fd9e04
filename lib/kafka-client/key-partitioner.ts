/**
 * The partition of a message key, as kafkajs' default partitioner (and the Java client's)
 * chooses it: murmur2 of the key's UTF-8 bytes, made positive, modulo the partition count.
 * A repartition output that packs records per partition (packed-records.ts) picks the
 * partition itself with this, so a key lands where an unpacked keyed message would.
 *
 * kafkajs' murmur2 works on emulated 64-bit longs and costs a few microseconds a key, so
 * the partitions of recent keys are kept (a repartition key is usually an entity with far
 * fewer values than records, e.g. an experiment); the table is cleared when it fills.
 */
import { createRequire } from 'node:module';

type Murmur2 = (key: string | Buffer) => number;
/** Loaded on first use: lint and docs import the repartition output's module without running it. */
let murmur2: Murmur2 | undefined;
const loadMurmur2 = (): Murmur2 => createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as Murmur2;

const CACHED_KEYS = 65_536;

export class KeyPartitioner {
  private readonly cache = new Map<string, number>();

  constructor(private readonly partitions: number) {}

  partitionOf(key: string): number {
    let p = this.cache.get(key);
    if (p === undefined) {
      if (this.cache.size >= CACHED_KEYS) this.cache.clear();
      murmur2 ??= loadMurmur2();
      p = (murmur2(key) & 0x7fffffff) % this.partitions;
      this.cache.set(key, p);
    }
    return p;
  }
}
