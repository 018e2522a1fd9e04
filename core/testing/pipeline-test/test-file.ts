/**
 * Reads a declarative pipeline test file (docs/pipeline-tests.md): YAML with positions kept,
 * no `${VAR}` interpolation (records are data), the structure validated by a field spec
 * (unknown keys rejected with a "did you mean"), input items classified as records or
 * watermarks. Every problem is a located issue, as `sluice lint` reports them.
 */
import { field } from '../../api/index.ts';
import type { Row } from '../../api/index.ts';
import { toEventTime } from '../../runtime/engine/event-time.ts';
import type { LocatedIssue } from '../../runtime/graph/types.ts';
import { isPlainObject } from '../../runtime/spec/describe.ts';
import { issueAt, parsePipelineFile, validateConfig } from '../../runtime/spec/index.ts';
import type { ConfigPath, Locator } from '../../runtime/spec/index.ts';

/** One input item: a record (with an optional partition) or a watermark. */
export type TestInputItem =
  | { readonly record: Row; readonly partition?: string | number; readonly path: ConfigPath }
  | { readonly watermark: number; readonly partition?: string | number; readonly path: ConfigPath };

export interface PipelineTestCase {
  readonly name: string;
  /** By input name as written: `source` or `source.output`. */
  readonly inputs: Readonly<Record<string, readonly TestInputItem[]>>;
  /** By output: a sink id, `late` or `dead_letter`. */
  readonly expected: Readonly<Record<string, readonly Row[]>>;
  readonly ordered: boolean;
  /** Where the case is in the file (`tests[2]`). */
  readonly path: ConfigPath;
}

export interface PipelineTestFile {
  /** The pipeline, as written (relative to the test file). */
  readonly pipeline: string;
  readonly profile: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly cases: readonly PipelineTestCase[];
  readonly locator: Locator;
}

const partition = field.union([field.string({ doc: 'Partition name.' }), field.integer({ doc: 'Partition number.' })], {
  doc: 'Partition of the source the item belongs to (partitions are units of watermark generation and idleness).',
  optional: true,
});

const testCaseSpec = field.object({
  name: field.string({ doc: 'Shown in the report; unique in the file.', minLength: 1 }),
  inputs: field.map(field.array(field.any({ doc: 'A record, `{watermark: ts}`, or `{record: {...}, partition: p}`.' }), { doc: 'Items per source.' }), {
    doc: 'Per source id (or `<source>.<output>`): records and watermarks, fed in order. A source left out yields nothing.',
    default: {},
  }),
  expected: field.map(field.array(field.any({ doc: 'An expected record.' }), { doc: 'Expected records.' }), {
    doc: 'Per output (a sink id, `late`, `dead_letter`): the records expected there. An output left out is not checked.',
    default: {},
  }),
  end_of_input: field.boolean({ doc: 'After the inputs, every source ends: the watermark reaches +∞ and every window fires.', default: true }),
  ordered: field.boolean({ doc: 'Compare each output in arrival order instead of as a multiset.', default: false }),
});

/** The test file's own spec: validator, and what docs/pipeline-tests.md describes. */
export const pipelineTestSpec = field.object({
  pipeline: field.string({ doc: 'The pipeline file, relative to the test file.', minLength: 1, example: 'orders.yaml' }),
  profile: field.string({ doc: "Profile to compile; default the pipeline's first.", optional: true }),
  env: field.map(field.union([field.string({ doc: 'value' }), field.number({ doc: 'value' }), field.boolean({ doc: 'value' })], { doc: 'A value.' }), {
    doc: 'Values for `${VAR}`s in the pipeline; the process environment is not read.',
    default: {},
  }),
  tests: field.array(testCaseSpec, { doc: 'The test cases, each run on fresh state.', minItems: 1 }),
});

/** What the validator returns: a part that failed validation is undefined. */
type RawCase = { name?: string; inputs?: Record<string, unknown[] | undefined>; expected?: Record<string, unknown[] | undefined>; end_of_input?: boolean; ordered?: boolean };
type RawFile = { pipeline?: string; profile?: string; env?: Record<string, string | number | boolean | undefined>; tests?: (RawCase | undefined)[] };

function timeOf(value: unknown): number {
  return typeof value === 'string' || typeof value === 'number' ? toEventTime(value) : Number.NaN;
}

/** Classifies one input item; pushes an issue and returns undefined when it is neither form. */
function readItem(raw: unknown, path: ConfigPath, locator: Locator, issues: LocatedIssue[]): TestInputItem | undefined {
  if (!isPlainObject(raw)) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', path, 'an input item is a mapping: a record, {watermark: ts}, or {record: {...}, partition: p}'));
    return undefined;
  }
  const keys = Object.keys(raw);
  const part = raw.partition;
  if (part !== undefined && typeof part !== 'string' && !Number.isInteger(part)) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, 'partition'], 'a partition is a name or a whole number'));
    return undefined;
  }
  const withPartition = part === undefined ? {} : { partition: part as string | number };
  if ('watermark' in raw && keys.every((k) => k === 'watermark' || k === 'partition')) {
    const ts = timeOf(raw.watermark);
    if (Number.isNaN(ts)) {
      issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, 'watermark'], 'a watermark is epoch milliseconds or an ISO-8601 time'));
      return undefined;
    }
    return { watermark: ts, ...withPartition, path };
  }
  if ('record' in raw && keys.every((k) => k === 'record' || k === 'partition')) {
    if (!isPlainObject(raw.record)) {
      issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, 'record'], 'an explicit record is a mapping'));
      return undefined;
    }
    return { record: raw.record, ...withPartition, path };
  }
  return { record: raw, path };
}

function readCase(raw: RawCase, path: ConfigPath, locator: Locator, issues: LocatedIssue[]): PipelineTestCase {
  if (raw.end_of_input === false) {
    issues.push(
      issueAt(locator, 'E_CONFIG_INVALID', [...path, 'end_of_input'], 'end_of_input: false is not supported: when a test\'s inputs end, the job drains and every window fires', {
        hint: 'Leave it out, and expect what the end of input fires.',
      }),
    );
  }
  const inputs: Record<string, TestInputItem[]> = {};
  for (const [name, items] of Object.entries(raw.inputs ?? {})) {
    inputs[name] = (items ?? []).flatMap((item, i) => readItem(item, [...path, 'inputs', name, i], locator, issues) ?? []);
  }
  const expected: Record<string, Row[]> = {};
  for (const [name, rows] of Object.entries(raw.expected ?? {})) {
    expected[name] = (rows ?? []).flatMap((row, i) => {
      if (isPlainObject(row)) return [row];
      issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, 'expected', name, i], 'an expected record is a mapping'));
      return [];
    });
  }
  return { name: raw.name ?? '', inputs, expected, ordered: raw.ordered === true, path };
}

/**
 * Parses and validates a test file's text, every problem at once. `test` is what could be
 * read (undefined when the YAML is broken or names no pipeline): with issues, use it only
 * to find more problems (its names against the pipeline), never to run.
 */
export function readPipelineTestFile(file: string, text: string): { test?: PipelineTestFile; issues: LocatedIssue[] } {
  const parsed = parsePipelineFile(file, text, {}, { interpolate: false });
  if (!parsed.ok) return { issues: parsed.issues };
  const { locator } = parsed;
  const { value, issues } = validateConfig(pipelineTestSpec, parsed.value, { locator, path: [] });
  const raw = (isPlainObject(value) ? value : {}) as RawFile;
  const seen = new Set<string>();
  const cases = (raw.tests ?? []).flatMap((c, i) => {
    if (!c) return [];
    if (c.name !== undefined && seen.has(c.name)) issues.push(issueAt(locator, 'E_DUPLICATE_ID', ['tests', i, 'name'], `two tests are named "${c.name}"`));
    if (c.name !== undefined) seen.add(c.name);
    return [readCase(c, ['tests', i], locator, issues)];
  });
  if (raw.pipeline === undefined) return { issues };
  const env = Object.fromEntries(Object.entries(raw.env ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
  return { test: { pipeline: raw.pipeline, profile: raw.profile, env, cases, locator }, issues };
}
