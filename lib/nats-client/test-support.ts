/**
 * Helpers for the NATS integration tests (test/integration/nats-*.test.ts): the server of
 * `scripts/services` (NATS_URL overrides it), names unique to a test run, and clean-up.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

export const NATS_SERVER = process.env.NATS_URL ?? '127.0.0.1:4222';

/** `prefix_<random>`: a stream, bucket or subject token no other run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface TestNats {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  /** Deletes the streams and buckets given, then closes. */
  cleanup(streams: readonly string[], buckets?: readonly string[]): Promise<void>;
}

export async function testNats(): Promise<TestNats> {
  const nc = await connect({ servers: NATS_SERVER, name: 'sluice nats tests' });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    async cleanup(streams, buckets = []) {
      for (const s of [...streams, ...buckets.map((b) => `KV_${b}`)]) await jsm.streams.delete(s).catch(() => undefined);
      await nc.drain();
    },
  };
}
