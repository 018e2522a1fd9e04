/**
 * Packed messages of a repartition topic (docs/architecture.md §5): one Kafka message holds
 * many records bound for one partition, so the producer's per-message work (record
 * encoding, CRC, varints, partitioning) is paid per message, not per record. The internal
 * topic is Sluice's own, so its format is free; a `kafka` sink writing a user's topic never
 * packs.
 *
 * Format (text, as the JSON codec's payloads are): the tag below, then one line per record,
 * `<event time>\t<payload>`, lines joined by `\n`. A codec's payload holds no newline (the
 * codec contract), so a line is a record. The first character, SOH (U+0001), is no JSON
 * text's first byte and not a control record's (NUL, control-record.ts), so telling the
 * three apart costs one byte comparison per message. A message that does not start with the
 * tag is one record, as before packing, so a topic written by an older version still reads.
 */

export const PACK_TAG = '\u0001sluice-pack\n';
const TAG_BYTES = new TextEncoder().encode(PACK_TAG);
const decoder = new TextDecoder();

/** Records per packed message, at most; with `MAX_PACK_CHARS`, keeps a message far below the broker's 1 MB default. */
export const MAX_PACK_RECORDS = 1024;
/** Characters of payload per packed message after which it is cut (a message ends at the record that passes it). */
export const MAX_PACK_CHARS = 256 * 1024;

/** True when the value may be a packed message (its first byte is SOH). */
export function maybePacked(value: Uint8Array | string): boolean {
  return typeof value === 'string' ? value.charCodeAt(0) === 1 : value.length > 0 && value[0] === 1;
}

/**
 * Packs records into message values: `lines[i]` is record i's `<time>\t<payload>` line. Cuts
 * after `MAX_PACK_RECORDS` lines or once `MAX_PACK_CHARS` is passed.
 */
export function packLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let from = 0;
  let chars = 0;
  for (let i = 0; i < lines.length; i++) {
    chars += lines[i]!.length;
    if (i + 1 - from >= MAX_PACK_RECORDS || chars >= MAX_PACK_CHARS || i + 1 === lines.length) {
      out.push(PACK_TAG + lines.slice(from, i + 1).join('\n'));
      from = i + 1;
      chars = 0;
    }
  }
  return out;
}

/** One record's line: its event time and payload. */
export function packedLine(time: number, payload: string): string {
  return `${time}\t${payload}`;
}

/**
 * The records of a packed message, or undefined when `value` is not one. A line whose time
 * does not parse keeps `fallbackTime` and the whole line as its payload, so the codec
 * dead-letters it once, with its provenance, rather than the message failing as a whole.
 */
export function unpack(value: Uint8Array | string, fallbackTime: number): { times: number[]; payloads: string[] } | undefined {
  const text = typeof value === 'string' ? value : startsWithTag(value) ? decoder.decode(value) : undefined;
  if (text === undefined || !text.startsWith(PACK_TAG)) return undefined;
  const times: number[] = [];
  const payloads: string[] = [];
  let at = PACK_TAG.length;
  while (at <= text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const tab = text.indexOf('\t', at);
    const time = tab > at && tab < end ? Number(text.slice(at, tab)) : Number.NaN;
    if (Number.isFinite(time)) {
      times.push(time);
      payloads.push(text.slice(tab + 1, end));
    } else {
      times.push(fallbackTime);
      payloads.push(text.slice(at, end));
    }
    at = end + 1;
  }
  return { times, payloads };
}

function startsWithTag(value: Uint8Array): boolean {
  if (value.length < TAG_BYTES.length) return false;
  for (let i = 0; i < TAG_BYTES.length; i++) if (value[i] !== TAG_BYTES[i]) return false;
  return true;
}
