/** The last few lines of a JSON-lines file (late and dead-letter records), read from its tail only. */
import { open } from 'node:fs/promises';

const TAIL_BYTES = 16 * 1024;

export async function lastLines(path: string | undefined, n: number): Promise<string[]> {
  if (path === undefined) return [];
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((l) => l !== '');
    // The first line of a partial read may be cut.
    if (size > length) lines.shift();
    return lines.slice(-n).map((l) => (l.length > 600 ? `${l.slice(0, 600)}…` : l));
  } finally {
    await handle.close();
  }
}
