/**
 * Reads a pipeline file: YAML 1.2 core schema, positions kept for every node, no custom
 * tags, aliases bounded, `${VAR}` interpolated. Returns the plain value, a locator and
 * every problem found. Syntax errors stop the semantic checks of that file (what follows
 * a broken document would only mislead), but all of them are reported.
 */
import { isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { LocatedIssue } from '../graph/types.ts';
import { interpolate, resolvePlainScalar } from './interpolate.ts';
import type { Env } from './interpolate.ts';
import { rememberTemplate } from './interpolate-expr.ts';
import { formatPath, Locator } from './locator.ts';
import type { ConfigPath } from './locator.ts';

/** How many alias expansions a document may have before it counts as an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export interface ParsedPipelineFile {
  /** The document as plain data (best effort when `ok` is false); undefined when unreadable. */
  readonly value: unknown;
  readonly locator: Locator;
  readonly issues: LocatedIssue[];
  /** Unset `${VAR}`s, reported by the compiler only where the selected profile uses them. */
  readonly unsetEnv: LocatedIssue[];
  /** False when YAML errors make the value unreliable. */
  readonly ok: boolean;
}

function yamlIssue(file: string, line: number, col: number, message: string, path: ConfigPath = []): LocatedIssue {
  return { code: 'E_YAML_SYNTAX', file, line, col, configPath: formatPath(path), path, message, severity: 'error' };
}

/** `Map keys must be unique` from `Map keys must be unique at line 2, column 1:\n…`. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** A hint for the usual cause of a flow-collection error: an unquoted `${VAR}` inside `{ … }`. */
function flowHint(text: string, line: number): string {
  const here = text.split('\n')[line - 1] ?? '';
  return /\{[^}]*:\s*\$\{/.test(here) ? ' (inside `{ … }`, quote a value that starts with `${`: "${VAR:-default}")' : '';
}

/** The config path of a node from the ancestors `visit` hands over. */
function pathOf(ancestors: readonly unknown[], node: unknown): ConfigPath {
  const out: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const here = chain[i];
    if (isPair(here) && isScalar(here.key)) out.push(String(here.key.value));
    else if (isSeq(here)) out.push(here.items.indexOf(chain[i + 1] as never));
  }
  return out;
}

/** The node's range starts at its value; its tag is the token written just before it. */
function tagStart(text: string, valueStart: number): number {
  let i = valueStart - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  while (i >= 0 && !/[\s[{,]/.test(text[i]!)) i--;
  return text[i + 1] === '!' ? i + 1 : valueStart;
}

function checkTags(doc: Document, text: string, locator: Locator, issues: LocatedIssue[]): void {
  visit(doc, {
    Node(_key, node, ancestors) {
      const tag = (node as { tag?: string }).tag;
      if (tag === undefined || ALLOWED_TAGS.has(tag)) return;
      const start = (node as YamlNode).range?.[0] ?? 0;
      const { line, col } = locator.offset(tagStart(text, start));
      const shown = tag.replace(/^tag:yaml.org,2002:/, '!!');
      issues.push(yamlIssue(locator.file, line, col, `tag ${shown} is not allowed: pipelines use plain YAML (no custom tags)`, pathOf(ancestors, node)));
    },
  });
}

function interpolateScalars(doc: Document, locator: Locator, env: Env, unsetEnv: LocatedIssue[]): void {
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const result = interpolate(node.value, env);
      if (!result.changed) return;
      rememberTemplate(node, node.value, env);
      const path = pathOf(ancestors, node);
      for (const name of result.unset) {
        const { line, col } = locator.offset(node.range?.[0] ?? 0);
        unsetEnv.push({
          code: 'E_ENV_UNSET',
          file: locator.file,
          line,
          col,
          configPath: formatPath(path),
          path,
          message: `environment variable ${name} is not set and has no default`,
          severity: 'error',
          hint: `set ${name}, or give a default: \${${name}:-value}`,
        });
      }
      // An unset variable stays the empty string (already reported), never null or a number.
      const plain = node.type === Scalar.PLAIN && !node.tag && result.unset.length === 0;
      node.value = plain ? resolvePlainScalar(result.value) : result.value;
    },
  });
}

/**
 * A key written `null:` (a `null` sink block, say) is a YAML null, which `toJS` would turn
 * into the key `""`. Keys are names here, never values: a plain null key reads as the text
 * written (`null`, `Null`, `~`), on the same node, so its position is kept.
 */
function nullKeysAsText(doc: Document): void {
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key;
      if (isScalar(key) && key.value === null && key.type === Scalar.PLAIN && key.source) key.value = key.source;
    },
  });
}

/** What a broken document still says (for its `plugins:` list); undefined when even that fails. */
function bestEffort(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

/** Where the first alias is: the place to look at when aliases fail to expand. */
function firstAlias(doc: Document, locator: Locator): { line: number; col: number } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset === undefined ? { line: 1, col: 1 } : locator.offset(offset);
}

export interface ParseOptions {
  /** Interpolate `${VAR}`s in values (default true); test files and data are read as written. */
  readonly interpolate?: boolean;
}

/** Largest pipeline file parsed, unless `SLUICE_MAX_PIPELINE_BYTES` says otherwise: 1 MiB. */
export const MAX_PIPELINE_BYTES = 1024 * 1024;

export function parsePipelineFile(file: string, text: string, env: Env, options: ParseOptions = {}): ParsedPipelineFile {
  const max = Number(env.SLUICE_MAX_PIPELINE_BYTES) || MAX_PIPELINE_BYTES;
  // Characters, a lower bound of the bytes: refused before the parser spends minutes on it.
  if (text.length > max) {
    const issue: LocatedIssue = { code: 'E_LIMIT', file, line: 1, col: 1, configPath: '', path: [], severity: 'error', message: `the file has ${text.length} characters, over the limit of ${max} bytes (SLUICE_MAX_PIPELINE_BYTES); it is not parsed` };
    return { value: undefined, locator: Locator.empty(file), issues: [issue], unsetEnv: [], ok: false };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', version: '1.2', uniqueKeys: true, prettyErrors: true, merge: false });
  nullKeysAsText(doc);
  const locator = new Locator(file, doc, lines);
  const issues: LocatedIssue[] = [];
  const unsetEnv: LocatedIssue[] = [];
  let lost = 0;
  for (const error of doc.errors) {
    // After a first error the parser often loses its place and reports every following
    // token of the document as unexpected: one line says so instead of hundreds.
    if (issues.length > 0 && / token in YAML stream/.test(error.message)) {
      lost++;
      continue;
    }
    const at = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    issues.push(yamlIssue(file, at.line, at.col, `YAML: ${firstLine(error.message)}${flowHint(text, at.line)}`));
  }
  if (lost > 0) {
    const last = issues[issues.length - 1]!;
    issues.push(yamlIssue(file, last.line, last.col, `YAML: ${lost} more syntax error(s) after this one come from it (the parser lost its place); fix it first`));
  }
  for (const warning of doc.warnings) {
    if (warning.code === 'TAG_RESOLVE_FAILED') continue; // reported by checkTags, with the path
    const at = warning.linePos?.[0] ?? lines.linePos(warning.pos[0]);
    issues.push(yamlIssue(file, at.line, at.col, `YAML: ${firstLine(warning.message)}`));
  }
  checkTags(doc, text, locator, issues);
  if (issues.length > 0) return { value: bestEffort(doc), locator, issues, unsetEnv, ok: false };
  if (options.interpolate !== false) interpolateScalars(doc, locator, env, unsetEnv);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const bomb = /resource exhaustion/.test(message);
    const at = firstAlias(doc, locator);
    issues.push(
      yamlIssue(
        file,
        at.line,
        at.col,
        bomb ? `YAML: aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias uses): refusing a possible alias bomb` : `YAML: ${firstLine(message)}`,
      ),
    );
    return { value: undefined, locator, issues, unsetEnv, ok: false };
  }
  return { value, locator, issues, unsetEnv, ok: true };
}
