/**
 * Interning of composite keys. A key of several fields is a string built from the field
 * values (`keys.ts`); building it anew for every record gives the state backend a fresh
 * string to hash on every lookup. The interner keeps one string per distinct combination of
 * field values, found through a small tree of Maps on the values themselves (strings that
 * come from the same source object keep their hash; numbers hash cheaply), so a record whose
 * key was seen before costs a few Map lookups and no string building or hashing of the
 * whole key.
 *
 * Only primitive parts (string, number, boolean) are interned. The tree is bounded: past
 * `limit` interned keys it starts over (the keys it handed out stay valid strings).
 */
export class KeyInterner {
  private root = new Map<unknown, unknown>();
  private size = 0;

  constructor(
    /** Number of parts in each key. */
    private readonly depth: number,
    private readonly limit = 1 << 16,
  ) {}

  /**
   * The interned key of `parts[0..depth)`, or undefined when the tree does not hold it yet.
   * Parts must be primitives (the caller checks).
   */
  get(parts: readonly unknown[]): string | undefined {
    let node: Map<unknown, unknown> | undefined = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      node = node.get(parts[i]) as Map<unknown, unknown> | undefined;
      if (node === undefined) return undefined;
    }
    return node.get(parts[last]) as string | undefined;
  }

  /** Remembers `key` as the key of `parts[0..depth)` and returns it. */
  set(parts: readonly unknown[], key: string): string {
    if (this.size >= this.limit) {
      this.root = new Map();
      this.size = 0;
    }
    let node = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(parts[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(parts[i], next);
      }
      node = next;
    }
    node.set(parts[last], key);
    this.size++;
    return key;
  }
}
