/**
 * What the planner knows about a stream before it runs: its fields, its key, its changelog
 * mode and the lateness it was judged with. Operators describe their output from their
 * inputs; lint uses it to check keys, changelogs, lateness and CEL expressions.
 */
import type { Changelog } from './records.ts';

/** The type of a known field, for CEL type-checking. `dyn` when not known. */
export type FieldType = 'string' | 'int' | 'double' | 'bool' | 'timestamp' | 'map' | 'list' | 'dyn';

export interface StreamInfo {
  /** Known fields and their types; undefined when the stream's shape is not known. */
  readonly fields?: Readonly<Record<string, FieldType>>;
  /** Field names the stream is keyed by (after `key_by` or a keyed operator); undefined when unkeyed. */
  readonly key?: readonly string[];
  readonly changelog: Changelog;
  /** The largest allowed lateness applied upstream, milliseconds. */
  readonly allowedLateness: number;
}

/** How an operator keys one of its inputs: by field names (dotted paths allowed). */
export type KeySpec = readonly string[];
