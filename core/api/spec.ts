/**
 * Typed config specs. One spec per plugin is at once the validator (unknown keys are
 * rejected), the TypeScript type of the parsed config (`Infer<typeof spec>`) and the
 * reference docs (`sluice plugins docs`).
 *
 *   const spec = field.object({
 *     path: field.string({ doc: 'File to read.', example: 'data/in.jsonl' }),
 *     max_bytes: field.integer({ doc: 'Stop after this many bytes.', optional: true }),
 *     poll: field.duration({ doc: 'How often to look for new lines.', default: '1s' }),
 *   });
 *   type Config = Infer<typeof spec>;  // { path: string; max_bytes?: number; poll: number }
 */

import type { Branded, PluginDefinition, PluginKind } from './plugin.ts';

/** Where a CEL expression's variables come from. */
export type ExprScope =
  /** The input record's fields are the variables: `amount > 100`. */
  | 'record'
  /** `left` and `right` are the two sides of a join: `left.amount + right.fee`. */
  | 'join';

/** What every field spec may carry, whatever its type. */
export interface FieldCommon<T> {
  /** One or two sentences: what the field means, its unit, what it defaults to. Required. */
  readonly doc: string;
  /** An example value, shown in the docs and in error messages. */
  readonly example?: unknown;
  /** A secret is redacted wherever config is printed or logged. */
  readonly secret?: boolean;
  /** The field may be left out; its parsed value is then `undefined`. */
  readonly optional?: boolean;
  /** Value used when the field is left out (in config syntax, e.g. `'30s'` for a duration). */
  readonly default?: unknown;
  /** Phantom: the parsed TypeScript type. Never set. */
  readonly __type?: T;
}

export type FieldSpec<T = unknown> =
  /**
   * `path`: a file path. A relative one written in the pipeline resolves against the pipeline
   * file's folder; one that starts with a `${VAR}` is taken as the environment gives it
   * (relative to the working directory). The plugin receives the resolved path.
   */
  | (FieldCommon<T> & { readonly type: 'string'; readonly pattern?: string; readonly minLength?: number; readonly path?: boolean })
  | (FieldCommon<T> & { readonly type: 'number'; readonly integer?: boolean; readonly min?: number; readonly max?: number })
  | (FieldCommon<T> & { readonly type: 'boolean' })
  /** Durations are written `30s`, `5m`, `3d`, `-1h`; parsed to milliseconds. */
  | (FieldCommon<T> & { readonly type: 'duration'; readonly min?: number })
  | (FieldCommon<T> & { readonly type: 'enum'; readonly values: readonly string[] })
  | (FieldCommon<T> & { readonly type: 'array'; readonly items: FieldSpec; readonly minItems?: number })
  | (FieldCommon<T> & { readonly type: 'object'; readonly fields: Readonly<Record<string, FieldSpec>> })
  /** Free keys, each value of one spec (e.g. a projection `{name: expr}`). */
  | (FieldCommon<T> & { readonly type: 'map'; readonly values: FieldSpec; readonly keyPattern?: string })
  /** A CEL expression, parsed and type-checked once per pipeline. Parsed value: its source text. */
  | (FieldCommon<T> & { readonly type: 'expr'; readonly scope: ExprScope; readonly returns?: 'bool' | 'any' })
  /**
   * The name of a plugin of `kind` that this plugin runs (`keyed_process`'s `function:` names
   * a `keyed_function`). Lint looks the name up among the loaded plugins (built-in or from a
   * package under `plugins:`; unknown is `E_UNKNOWN_PLUGIN`); the parsed value is the named
   * plugin's definition. `options`: the sibling key whose value the named plugin's own spec
   * validates (located errors, defaults, durations in ms); its parsed value replaces it.
   */
  | (FieldCommon<T> & { readonly type: 'plugin'; readonly kind: PluginKind; readonly options?: string })
  /** The first alternative that validates wins; docs list them all. */
  | (FieldCommon<T> & { readonly type: 'union'; readonly options: readonly FieldSpec[] })
  | (FieldCommon<T> & { readonly type: 'any' });

export type ObjectSpec<T = unknown> = Extract<FieldSpec<T>, { type: 'object' }>;

/** The parsed TypeScript type of a spec. */
export type Infer<S> = 0 extends 1 & S ? any : S extends { readonly __type?: infer T } ? T : never;

/** The options a `field.*` builder takes: the common ones, without the phantom type. */
export type FieldOptions<T> = Omit<FieldCommon<T>, '__type'>;
type Req<O> = O extends { optional: true } ? false : true;
type Maybe<T, O> = Req<O> extends true ? T : T | undefined;

/** The parsed type of an object spec's fields: optional fields become optional keys. */
export type ObjectFields<F extends Record<string, FieldSpec>> = {
  [K in keyof F as F[K] extends { optional: true } ? never : K]: Infer<F[K]>;
} & {
  [K in keyof F as F[K] extends { optional: true } ? K : never]?: Infer<F[K]>;
};
/** A mapped type flattened, so editors show its keys. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Builders for field specs. Each returns a plain, serialisable description. */
export const field = {
  string<const O extends FieldOptions<string> & { pattern?: string; minLength?: number; path?: boolean }>(o: O) {
    return { ...o, type: 'string' } as const as FieldSpec<string> & O;
  },
  number<const O extends FieldOptions<number> & { min?: number; max?: number }>(o: O) {
    return { ...o, type: 'number' } as const as FieldSpec<number> & O;
  },
  integer<const O extends FieldOptions<number> & { min?: number; max?: number }>(o: O) {
    return { ...o, type: 'number', integer: true } as const as FieldSpec<number> & O;
  },
  boolean<const O extends FieldOptions<boolean>>(o: O) {
    return { ...o, type: 'boolean' } as const as FieldSpec<boolean> & O;
  },
  /** Milliseconds; written as `30s`, `5m`, `3d`, `-1h`. */
  duration<const O extends FieldOptions<number> & { min?: number }>(o: O) {
    return { ...o, type: 'duration' } as const as FieldSpec<number> & O;
  },
  enum<const V extends readonly string[], const O extends FieldOptions<V[number]>>(values: V, o: O) {
    return { ...o, type: 'enum', values } as const as FieldSpec<V[number]> & O;
  },
  array<I extends FieldSpec, const O extends FieldOptions<Infer<I>[]> & { minItems?: number }>(items: I, o: O) {
    return { ...o, type: 'array', items } as const as FieldSpec<Infer<I>[]> & O;
  },
  object<F extends Record<string, FieldSpec>, const O extends FieldOptions<Simplify<ObjectFields<F>>>>(fields: F, o?: O) {
    return { doc: '', ...o, type: 'object', fields } as unknown as ObjectSpec<Simplify<ObjectFields<F>>> & O & { fields: F };
  },
  map<V extends FieldSpec, const O extends FieldOptions<Record<string, Infer<V>>> & { keyPattern?: string }>(values: V, o: O) {
    return { ...o, type: 'map', values } as const as FieldSpec<Record<string, Infer<V>>> & O;
  },
  /** A CEL expression; `scope` says which variables it sees. */
  expr<const O extends FieldOptions<string> & { scope?: ExprScope; returns?: 'bool' | 'any' }>(o: O) {
    return { scope: 'record', ...o, type: 'expr' } as const as FieldSpec<string> & O;
  },
  /** A plugin of `kind`, named in the pipeline; parsed to its definition (see the `plugin` spec). */
  plugin<K extends PluginKind, const O extends FieldOptions<string> & { options?: string }>(kind: K, o: O) {
    return { ...o, type: 'plugin', kind } as const as FieldSpec<Branded<Extract<PluginDefinition, { kind: K }>>> & O;
  },
  union<const Os extends readonly FieldSpec[], const O extends FieldOptions<Infer<Os[number]>>>(options: Os, o: O) {
    return { ...o, type: 'union', options } as const as FieldSpec<Infer<Os[number]>> & O;
  },
  any<T = unknown, const O extends FieldOptions<T> = FieldOptions<T>>(o: O) {
    return { ...o, type: 'any' } as const as FieldSpec<T> & O;
  },
};

/** One problem found while validating config: where, what, and the field's docs. */
export interface ConfigIssue {
  /** Path inside the validated value, e.g. `['window', 'tumbling']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** `error` fails lint and the run; `warning` is printed only. */
  readonly severity: 'error' | 'warning';
  /** The field's doc and allowed values, when that helps. */
  readonly hint?: string;
}
