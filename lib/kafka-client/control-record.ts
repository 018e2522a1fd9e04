/**
 * Control records of a repartition topic (docs/architecture.md §5): an upstream task's
 * watermark, written to every partition so the downstream task of each partition learns it
 * in order with the data. The value starts with a NUL byte and a tag, which no JSON record
 * does (a JSON text starts with `{`, `[`, a digit, a quote or a letter), so telling a control
 * record from data costs one byte comparison per message. +∞ (end of input) is written as
 * `null`; a value that starts like one but does not parse is not a control record (it is
 * handed on as data, and its decoding dead-letters it).
 *
 * At a savepoint of a job run as tasks the record also names the savepoint (`savepoint`):
 * the upstream task stopped there, so nothing of it follows in the partition. Its watermark
 * may then still be −∞ (written as absent).
 */

const TAG = '\u0000sluice-watermark:';
const TAG_BYTES = new TextEncoder().encode(TAG);
const decoder = new TextDecoder();

export interface WatermarkControl {
  /** The upstream task's partition index. */
  readonly task: number;
  /** Its watermark; +∞ at end of input. */
  readonly watermark: number;
  /** The savepoint the upstream task stopped at (written at that savepoint's barrier). */
  readonly savepoint?: string;
}

export function encodeControl(c: WatermarkControl): string {
  const watermark = c.watermark === Number.POSITIVE_INFINITY ? null : c.watermark === Number.NEGATIVE_INFINITY ? undefined : c.watermark;
  return `${TAG}${JSON.stringify({ task: c.task, watermark, ...(c.savepoint !== undefined ? { savepoint: c.savepoint } : {}) })}`;
}

/** True when the value may be a control record (its first byte is NUL). */
export function maybeControl(value: Uint8Array | string): boolean {
  return typeof value === 'string' ? value.charCodeAt(0) === 0 : value.length > 0 && value[0] === 0;
}

/** The control record in `value`, or undefined when it is not one. */
export function decodeControl(value: Uint8Array | string): WatermarkControl | undefined {
  const text = typeof value === 'string' ? value : startsWithTag(value) ? decoder.decode(value) : undefined;
  if (text === undefined || !text.startsWith(TAG)) return undefined;
  try {
    const body = JSON.parse(text.slice(TAG.length)) as { task?: unknown; watermark?: unknown; savepoint?: unknown };
    const { task, watermark, savepoint } = body;
    if (!Number.isSafeInteger(task) || (task as number) < 0) return undefined;
    if (savepoint !== undefined && typeof savepoint !== 'string') return undefined;
    const mark = typeof savepoint === 'string' ? { savepoint } : {};
    if (watermark === null) return { task: task as number, watermark: Number.POSITIVE_INFINITY, ...mark };
    if (watermark === undefined && typeof savepoint === 'string') return { task: task as number, watermark: Number.NEGATIVE_INFINITY, savepoint };
    if (typeof watermark !== 'number' || !Number.isFinite(watermark)) return undefined;
    return { task: task as number, watermark, ...mark };
  } catch {
    return undefined;
  }
}

function startsWithTag(value: Uint8Array): boolean {
  if (value.length < TAG_BYTES.length) return false;
  for (let i = 0; i < TAG_BYTES.length; i++) if (value[i] !== TAG_BYTES[i]) return false;
  return true;
}
