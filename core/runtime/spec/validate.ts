/**
 * Validates a plugin's config (or a block-level setting) against its `FieldSpec`: types,
 * required fields, defaults applied, durations parsed to milliseconds, enums, lists, maps,
 * unions, CEL expressions checked against the fields known at that point, unknown keys
 * rejected with a "did you mean". Every problem is collected, located and coded; the
 * returned value is the parsed config (meaningful only when there are no errors).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { isPluginDefinition, parseDuration } from '../../api/index.ts';
import type { ErrorCode, FieldSpec, PluginDefinition } from '../../api/index.ts';
import { checkExpression } from '../expr/check.ts';
import { interpolateExpression, templateOf } from './interpolate-expr.ts';
import type { JoinFields, KnownFields } from '../expr/check.ts';
import type { LocatedIssue, PluginLookup } from '../graph/types.ts';
import { actual, expected, hintFor, isPlainObject, kindMatches } from './describe.ts';
import { issueAt } from './issues.ts';
import type { ConfigPath, Locator } from './locator.ts';
import { didYouMean, nearMiss } from './suggest.ts';
import { chooseBranch } from './union.ts';

/** Where a config sits: its file's locator and its path in the document. */
export interface ConfigSite {
  readonly locator: Locator;
  readonly path: ConfigPath;
  /** The loaded plugins, for `plugin` fields (a block naming a keyed function). */
  readonly plugins?: PluginLookup;
}

/** Fields known on the input stream(s), for checking `expr` fields. */
export interface ExprFields {
  /** Scope `record`: the input record's fields. */
  readonly record?: KnownFields;
  /** Scope `join`: each side's fields. */
  readonly join?: JoinFields;
}

export interface Validated {
  readonly value: unknown;
  readonly issues: LocatedIssue[];
}

export function validateConfig(spec: FieldSpec, value: unknown, site: ConfigSite, fields: ExprFields = {}): Validated {
  const v = new Validator(site.locator, fields, site.plugins);
  const parsed = v.check(spec, value, site.path);
  return { value: parsed, issues: v.issues };
}

class Validator {
  issues: LocatedIssue[] = [];
  constructor(
    private readonly locator: Locator,
    private readonly fields: ExprFields,
    private readonly plugins: PluginLookup | undefined,
  ) {}

  private report(code: ErrorCode, spec: FieldSpec | undefined, path: ConfigPath, message: string, atKey = false): void {
    const hint = spec ? hintFor(spec) : undefined;
    this.issues.push(issueAt(this.locator, code, path, message, { atKey, ...(hint ? { hint } : {}) }));
  }

  private mismatch(spec: FieldSpec, value: unknown, path: ConfigPath): undefined {
    const got = spec.secret ? (Array.isArray(value) ? 'a list' : typeof value) : actual(value);
    this.report('E_CONFIG_INVALID', spec, path, `expected ${expected(spec)}, got ${got}`);
    return undefined;
  }

  check(spec: FieldSpec, value: unknown, path: ConfigPath): unknown {
    switch (spec.type) {
      case 'string':
        if (typeof value !== 'string') return this.mismatch(spec, value, path);
        if (spec.minLength !== undefined && value.length < spec.minLength) {
          this.report('E_CONFIG_INVALID', spec, path, `must have at least ${spec.minLength} characters`);
        }
        if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
          this.report('E_CONFIG_INVALID', spec, path, `must match /${spec.pattern}/`);
        }
        return spec.path ? this.filePath(value, path) : value;
      case 'number':
        if (typeof value !== 'number' || Number.isNaN(value)) return this.mismatch(spec, value, path);
        if (spec.integer && !Number.isInteger(value)) return this.mismatch(spec, value, path);
        this.range(spec, value, path, spec.min, spec.max, String);
        return value;
      case 'boolean':
        return typeof value === 'boolean' ? value : this.mismatch(spec, value, path);
      case 'duration':
        return this.duration(spec, value, path);
      case 'enum':
        if (typeof value !== 'string' || !spec.values.includes(value)) {
          const guess = typeof value === 'string' ? nearMiss(value, spec.values) : undefined;
          const near = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
          this.report('E_CONFIG_INVALID', spec, path, `expected one of ${spec.values.join(', ')}, got ${actual(value)}${near}`);
          return undefined;
        }
        return value;
      case 'array':
        return this.array(spec, value, path);
      case 'object':
        return this.object(spec, value, path);
      case 'map':
        return this.map(spec, value, path);
      case 'expr':
        return this.expr(spec, value, path);
      case 'union':
        return this.union(spec, value, path);
      case 'plugin':
        return this.pluginRef(spec, value, path);
      case 'any':
        return value;
    }
  }

  /** A plugin named by a config value; a definition given as is (the test kit) is taken. */
  private pluginRef(spec: Extract<FieldSpec, { type: 'plugin' }>, value: unknown, path: ConfigPath): PluginDefinition | undefined {
    if (isPluginDefinition(value) && value.kind === spec.kind) return value;
    if (typeof value !== 'string') return this.mismatch(spec, value, path);
    const found = this.plugins?.get(spec.kind, value);
    if (found) return found;
    const names = this.plugins?.names(spec.kind) ?? [];
    this.issues.push(issueAt(this.locator, 'E_UNKNOWN_PLUGIN', path, `unknown ${spec.kind} plugin "${value}"${didYouMean(value, names)}`, {
      hint: names.length ? `loaded ${spec.kind} plugins: ${names.join(', ')}` : `no ${spec.kind} plugin is loaded: name the package that provides it under plugins:`,
    }));
    return undefined;
  }

  /** The sibling options of a `plugin` field, by the named plugin's own spec and `check`. */
  private pluginOptions(def: PluginDefinition, raw: unknown, path: ConfigPath): unknown {
    const parsed = this.check(def.spec, raw === undefined || raw === null ? (def.spec.type === 'object' ? {} : raw) : raw, path);
    if (this.issues.some((i) => i.severity === 'error')) return parsed;
    const extra = (def.check as ((c: unknown) => readonly { path: readonly (string | number)[]; message: string; severity: 'error' | 'warning'; hint?: string }[]) | undefined)?.(parsed) ?? [];
    for (const issue of extra) {
      this.issues.push(issueAt(this.locator, 'E_CONFIG_INVALID', [...path, ...issue.path], issue.message, { severity: issue.severity, ...(issue.hint ? { hint: issue.hint } : {}) }));
    }
    return parsed;
  }

  private range(spec: FieldSpec, value: number, path: ConfigPath, min: number | undefined, max: number | undefined, show: (n: number) => string): void {
    if (min !== undefined && value < min) this.report('E_CONFIG_INVALID', spec, path, `must be at least ${show(min)}, got ${show(value)}`);
    if (max !== undefined && value > max) this.report('E_CONFIG_INVALID', spec, path, `must be at most ${show(max)}, got ${show(value)}`);
  }

  private duration(spec: Extract<FieldSpec, { type: 'duration' }>, value: unknown, path: ConfigPath): number | undefined {
    if (typeof value === 'number' && value !== 0) {
      this.report('E_CONFIG_INVALID', spec, path, `a duration needs a unit: write ${value}ms, ${value}s or ${value}m`);
      return undefined;
    }
    const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
    if (ms === undefined) return this.mismatch(spec, value, path);
    this.range(spec, ms, path, spec.min, undefined, (n) => `${n} ms`);
    return ms;
  }

  private array(spec: Extract<FieldSpec, { type: 'array' }>, value: unknown, path: ConfigPath): unknown[] | undefined {
    if (!Array.isArray(value)) return this.mismatch(spec, value, path);
    if (spec.minItems !== undefined && value.length < spec.minItems) {
      this.report('E_CONFIG_INVALID', spec, path, `needs at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}, got ${value.length}`);
    }
    return value.map((item, i) => this.check(spec.items, item, [...path, i]));
  }

  private object(spec: Extract<FieldSpec, { type: 'object' }>, value: unknown, path: ConfigPath): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) return this.mismatch(spec, value, path);
    const known = Object.keys(spec.fields);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(spec.fields, key)) continue;
      this.report('E_UNKNOWN_KEY', spec, [...path, key], `unknown key "${key}"${didYouMean(key, known)}`, true);
    }
    for (const [key, field] of Object.entries(spec.fields)) {
      const raw = value[key];
      const absent = raw === undefined || (raw === null && (field.optional === true || field.default !== undefined));
      if (!absent) {
        out[key] = this.check(field, raw, [...path, key]);
      } else if (field.default !== undefined) {
        out[key] = this.check(field, field.default, [...path, key]);
      } else if (field.type === 'object' && !field.optional && Object.values(field.fields).every((f) => f.optional || f.default !== undefined)) {
        // A settings group whose every key is optional may be left out: it is `{}`.
        out[key] = this.check(field, {}, [...path, key]);
      } else if (!field.optional) {
        this.report('E_MISSING_FIELD', field, path, `missing required key "${key}"`, true);
      }
    }
    for (const [key, field] of Object.entries(spec.fields)) {
      if (field.type !== 'plugin' || field.options === undefined) continue;
      const def = out[key] as PluginDefinition | undefined;
      if (def) out[field.options] = this.pluginOptions(def, value[field.options], [...path, field.options]);
    }
    return out;
  }

  private map(spec: Extract<FieldSpec, { type: 'map' }>, value: unknown, path: ConfigPath): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) return this.mismatch(spec, value, path);
    const pattern = spec.keyPattern === undefined ? undefined : new RegExp(spec.keyPattern);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (pattern && !pattern.test(key)) this.report('E_CONFIG_INVALID', spec, [...path, key], `key "${key}" must match /${spec.keyPattern}/`, true);
      out[key] = this.check(spec.values, item, [...path, key]);
    }
    return out;
  }

  /**
   * A `path` field: relative text written in the pipeline resolves against the pipeline
   * file's folder; text that starts with a `${VAR}` came from the environment (or the
   * variable's default) and stays relative to the working directory, as a shell user means it.
   */
  private filePath(value: string, path: ConfigPath): string {
    if (value === '' || isAbsolute(value)) return value;
    const written = templateOf(this.locator.nodeAt(path));
    if (written && written.template.trimStart().startsWith('${')) return value;
    return resolve(dirname(this.locator.file), value);
  }

  private expr(spec: Extract<FieldSpec, { type: 'expr' }>, value: unknown, path: ConfigPath): string | undefined {
    if (typeof value !== 'string') return this.mismatch(spec, value, path);
    // A `${VAR}` in it: interpolated again, as CEL, so a value cannot rewrite the expression.
    const written = templateOf(this.locator.nodeAt(path));
    if (written) {
      const again = interpolateExpression(written.template, written.env);
      for (const problem of again.problems) this.report('E_EXPR', spec, path, problem);
      if (again.problems.length) return undefined;
      return this.checkedExpr(spec, again.value, path);
    }
    return this.checkedExpr(spec, value, path);
  }

  private checkedExpr(spec: Extract<FieldSpec, { type: 'expr' }>, value: string, path: ConfigPath): string {
    const scope = spec.scope ?? 'record';
    const known = scope === 'join' ? this.fields.join : this.fields.record;
    for (const problem of checkExpression(value, scope, known, spec.returns ?? 'any')) {
      this.report('E_EXPR', spec, path, problem);
    }
    return value;
  }

  /**
   * The first alternative without problems wins. Otherwise, for a union chosen by its keys
   * or enum values, the alternative the value's key selects reports its problems, or one
   * error at the value lists the shapes allowed (union.ts); for other unions the closest
   * alternative's problems are reported.
   */
  private union(spec: Extract<FieldSpec, { type: 'union' }>, value: unknown, path: ConfigPath): unknown {
    const candidates = spec.options.filter((o) => kindMatches(o, value));
    const trials: { issues: LocatedIssue[]; value: unknown }[] = [];
    for (const option of candidates) {
      const trial = new Validator(this.locator, this.fields, this.plugins);
      const parsed = trial.check(option, value, path);
      if (trial.issues.length === 0) return parsed;
      trials.push({ issues: trial.issues, value: parsed });
    }
    if (candidates.length === 0) return this.mismatch(spec, value, path);
    const choice = chooseBranch(spec, candidates, value);
    if (choice?.kind === 'error') {
      this.report(choice.code, spec, path, choice.message);
      return undefined;
    }
    const chosen = choice ? trials[candidates.indexOf(choice.option)]! : trials.reduce((a, b) => (b.issues.length < a.issues.length ? b : a));
    this.issues.push(...chosen.issues);
    return chosen.value;
  }
}
