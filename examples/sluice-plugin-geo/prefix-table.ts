/**
 * IPv4 prefix table with longest-prefix match: `81.2.69.0/24 → GB`. One hash map per prefix
 * length in use; a lookup probes the lengths from the longest down, so it costs at most 33
 * map reads and no allocation.
 */

/** The address as an unsigned 32-bit integer, or undefined when `text` is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/** Network address and length of `a.b.c.d/len`; undefined when malformed. */
export function parseCidr(text: string): { network: number; length: number } | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const address = parseIpv4(m[1]!);
  const length = Number(m[2]);
  if (address === undefined || length > 32) return undefined;
  return { network: mask(address, length), length };
}

function mask(address: number, length: number): number {
  if (length === 0) return 0;
  // >>> 0 keeps the result unsigned; the shift by 32 - length clears the host bits.
  return ((address >>> (32 - length)) << (32 - length)) >>> 0;
}

export class PrefixTable<V> {
  private readonly byLength = new Map<number, Map<number, V>>();
  /** Lengths in use, longest first. */
  private lengths: number[] = [];

  /** Builds a table from `{ 'cidr': value }`; throws on a malformed prefix. */
  static from<V>(entries: Readonly<Record<string, V>>): PrefixTable<V> {
    const table = new PrefixTable<V>();
    for (const [cidr, value] of Object.entries(entries)) {
      const prefix = parseCidr(cidr);
      if (!prefix) throw new RangeError(`not an IPv4 prefix: ${cidr}`);
      table.add(prefix.network, prefix.length, value);
    }
    return table;
  }

  add(network: number, length: number, value: V): void {
    let map = this.byLength.get(length);
    if (!map) {
      map = new Map();
      this.byLength.set(length, map);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    map.set(mask(network, length), value);
  }

  /** The value of the longest prefix holding `address`, if any. */
  lookup(address: number): V | undefined {
    for (const length of this.lengths) {
      const value = this.byLength.get(length)!.get(mask(address, length));
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
