/**
 * Positions of nodes in a parsed YAML document, by config path, so every problem points
 * at a line and column. Paths walk maps by key and sequences by index, through aliases.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';

export type ConfigPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly col: number;
}

interface Found {
  /** The node at the deepest segment of the path that exists. */
  readonly node: YamlNode | undefined;
  /** Its key node, when it is a map value. */
  readonly key: YamlNode | undefined;
  /** How many segments of the path were found. */
  readonly depth: number;
}

const START: Position = { line: 1, col: 1 };

export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /** A locator for text that could not be parsed: everything is at 1:1. */
  static empty(file: string): Locator {
    return new Locator(file, undefined, undefined);
  }

  /** Where the value at `path` starts; where its nearest existing ancestor's key is when it is absent. */
  value(path: ConfigPath): Position {
    const found = this.find(path);
    // `key:` with nothing after it: the empty value sits at the line's end; point at the key.
    const empty = isScalar(found.node) && found.node.range && found.node.range[0] === found.node.range[1];
    if (found.depth === path.length && !empty) return this.pos(found.node) ?? this.pos(found.key) ?? START;
    return this.pos(found.key) ?? this.pos(found.node) ?? START;
  }

  /** Where the key of the last segment of `path` is (for unknown keys); else like `value`. */
  key(path: ConfigPath): Position {
    const found = this.find(path);
    return this.pos(found.key) ?? this.value(path);
  }

  /** The node at `path` itself; undefined when the path does not reach one. */
  nodeAt(path: ConfigPath): YamlNode | undefined {
    const found = this.find(path);
    return found.depth === path.length ? this.deref(found.node) : undefined;
  }

  /** Position of a byte offset of the text. */
  offset(offset: number): Position {
    if (!this.lines) return START;
    return this.lines.linePos(offset);
  }

  private pos(node: YamlNode | undefined): Position | undefined {
    const range = node?.range;
    if (!range || !this.lines) return undefined;
    return this.lines.linePos(range[0]);
  }

  private find(path: ConfigPath): Found {
    let node: YamlNode | undefined = this.doc?.contents ?? undefined;
    let key: YamlNode | undefined;
    let depth = 0;
    for (const segment of path) {
      const target: YamlNode | undefined = this.deref(node);
      let next: YamlNode | undefined;
      let nextKey: YamlNode | undefined;
      if (isMap(target)) {
        const pair = target.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          nextKey = pair.key as YamlNode;
          next = (pair.value ?? undefined) as YamlNode | undefined;
          // `key:` with no value: point at the key
          if (!next) return { node: nextKey, key: nextKey, depth: depth + 1 };
        }
      } else if (isSeq(target) && typeof segment === 'number') {
        next = (target.items[segment] ?? undefined) as YamlNode | undefined;
      }
      if (!next) break;
      node = next;
      key = nextKey;
      depth++;
    }
    return { node, key, depth };
  }

  private deref(node: YamlNode | undefined): YamlNode | undefined {
    // Bounded: an alias of an alias cannot be written in YAML, but stay defensive.
    for (let i = 0; i < 8 && isAlias(node) && this.doc; i++) node = (node.resolve(this.doc) ?? undefined) as YamlNode | undefined;
    return node;
  }
}

/** `operators.joined.interval_join.lower`, `sources.x.kafka.brokers[0]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
