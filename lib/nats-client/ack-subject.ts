/**
 * JetStream message metadata from its ack subject, read without allocating a message
 * object: `$JS.ACK.<stream>.<consumer>.<delivered>.<stream_seq>.<consumer_seq>.<ts_ns>.<pending>`
 * (servers up to 2.9), or with `<domain>.<account_hash>` after `ACK` and a trailing token
 * (2.10+).
 */

export interface AckInfo {
  readonly streamSeq: number;
  /** Times the message was delivered to this consumer (1 the first time). */
  readonly delivered: number;
  /** The time the stream stored the message, epoch ms. */
  readonly timestampMs: number;
}

/** Parses an ack subject; undefined when `subject` is not one. */
export function parseAckSubject(subject: string | undefined): AckInfo | undefined {
  if (!subject || !subject.startsWith('$JS.ACK.')) return undefined;
  const t = subject.split('.');
  const base = t.length === 9 ? 4 : t.length >= 11 ? 6 : -1;
  if (base < 0) return undefined;
  const delivered = Number(t[base]);
  const streamSeq = Number(t[base + 1]);
  // Nanoseconds overflow a double's integer range; milliseconds from the leading digits do not.
  const ns = t[base + 3]!;
  const timestampMs = ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
  if (!Number.isInteger(streamSeq) || !Number.isInteger(delivered) || !Number.isFinite(timestampMs)) return undefined;
  return { streamSeq, delivered, timestampMs };
}
