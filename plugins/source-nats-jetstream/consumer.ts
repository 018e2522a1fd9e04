/**
 * Stream and consumer set-up on the server (JetStream features of nats-server 2.9): the
 * stream when asked, the sequence to start after, and a consumer delivering from the
 * sequence after it.
 */
import { AckPolicy, DeliverPolicy, jetstreamManager, ReplayPolicy } from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ackWaitMs } from './spec.ts';
import type { JetStreamSourceConfig } from './spec.ts';

const isNotFound = (error: unknown): boolean => {
  const e = error as { name?: string; code?: number; status?: number };
  return e?.name === 'StreamNotFoundError' || e?.name === 'ConsumerNotFoundError' || e?.status === 404 || e?.code === 404;
};

export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc, { checkAPI: false });
}

/** Creates the stream when `create_stream` is set and it does not exist. */
export async function ensureStream(jsm: JetStreamManager, config: JetStreamSourceConfig): Promise<void> {
  try {
    await jsm.streams.info(config.stream);
  } catch (error) {
    if (!isNotFound(error) || !config.create_stream) throw error;
    await jsm.streams.add({ name: config.stream, subjects: [...config.subjects!] });
  }
}

/**
 * The stream sequence the source has read up to: the checkpointed one; else the durable
 * consumer's ack floor; else 0 (`start: all`) or the stream's last sequence (`start: new`).
 * Resolving `new` to a number now means a checkpoint taken before the first message still
 * records where to resume.
 */
export async function startAfter(jsm: JetStreamManager, config: JetStreamSourceConfig, position: unknown): Promise<number> {
  if (position !== undefined && position !== null) {
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
      throw new TypeError(`nats_jetstream '${config.stream}': bad position ${JSON.stringify(position)}`);
    }
    return position;
  }
  if (config.durable) {
    try {
      const info = await jsm.consumers.info(config.stream, config.durable);
      return info.ack_floor.stream_seq;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  if (config.start === 'all') return 0;
  return (await jsm.streams.info(config.stream)).state.last_seq;
}

/**
 * Creates the consumer that delivers from `after + 1`. A durable one of the same name is
 * replaced (2.9 cannot move a consumer's start), so its progress is the checkpoint's.
 */
export async function createConsumer(jsm: JetStreamManager, config: JetStreamSourceConfig, name: string, after: number): Promise<void> {
  const cfg: Partial<ConsumerConfig> = {
    name,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: after + 1,
    replay_policy: ReplayPolicy.Instant,
    ...(config.filter_subject ? { filter_subject: config.filter_subject } : {}),
  };
  if (config.durable) {
    try {
      await jsm.consumers.delete(config.stream, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    Object.assign(cfg, { durable_name: name, ack_policy: AckPolicy.All, ack_wait: ackWaitMs(config) * 1_000_000, max_ack_pending: config.max_ack_pending });
  } else {
    // Ephemeral: nothing to ack; the server removes it a while after the job stops pulling.
    Object.assign(cfg, { ack_policy: AckPolicy.None, inactive_threshold: 5 * 60_000 * 1_000_000 });
  }
  await jsm.consumers.add(config.stream, cfg);
}

export async function deleteConsumer(jsm: JetStreamManager, stream: string, name: string): Promise<void> {
  try {
    await jsm.consumers.delete(stream, name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export async function consumerExists(jsm: JetStreamManager, stream: string, name: string): Promise<boolean> {
  try {
    await jsm.consumers.info(stream, name);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
