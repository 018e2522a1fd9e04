/**
 * Strict UTF-8 for payloads that arrive as bytes (issue 12: invalid UTF-8 became U+FFFD and
 * so a new, different key). A payload that is not valid UTF-8 is dead-lettered by the codec
 * with reason `invalid_utf8` and the byte offset of the first bad sequence.
 */
import { isUtf8 } from 'node:buffer';
import { RecordError } from '../../api/index.ts';

const lossy = new TextDecoder('utf-8');

/** Offset of the first byte that does not start a valid UTF-8 sequence; -1 when valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let len: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [len, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [len, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [len, min] = [4, 0x10000];
    else return i;
    if (i + len > n) return i;
    let cp = b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/** The payload as text; for bytes that are not valid UTF-8, a RecordError naming the offset. */
export function strictText(payload: string | Uint8Array): string {
  if (typeof payload === 'string') return payload;
  if (isUtf8(payload)) return lossy.decode(payload);
  throw new RecordError('invalid_utf8', `not valid UTF-8 at byte ${firstInvalidUtf8(payload)}`);
}

/** Text for a dead-letter record of an undecodable payload (bad bytes as U+FFFD). */
export function lossyText(payload: string | Uint8Array): string {
  return typeof payload === 'string' ? payload : lossy.decode(payload);
}
