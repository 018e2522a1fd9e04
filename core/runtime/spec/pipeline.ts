/**
 * Reads a parsed pipeline file into its blocks under one profile: top-level keys checked,
 * the profile applied (it replaces or adds sources, sinks and outputs by id; operators
 * stay one definition), every block read. Plugin configs are validated by the graph.
 */
import type { LocatedIssue, PluginLookup } from '../graph/types.ts';
import { isPlainObject } from './describe.ts';
import { readBlock } from './blocks.ts';
import type { PipelineBlock } from './blocks.ts';
import { issueAt } from './issues.ts';
import type { ConfigPath, Locator } from './locator.ts';
import { pipelineSpec } from './pipeline-spec.ts';
import type { BlockSection } from './pipeline-spec.ts';
import type { ParsedPipelineFile } from './yaml.ts';
import { validateConfig } from './validate.ts';

/** An npm package named under `plugins:` (top level or the selected profile), located. */
export interface PackageRef {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly configPath: string;
}

export interface PipelineDefinition {
  readonly name: string;
  readonly description: string | undefined;
  readonly profile: string | undefined;
  readonly sources: readonly PipelineBlock[];
  readonly operators: readonly PipelineBlock[];
  readonly sinks: readonly PipelineBlock[];
  readonly late: PipelineBlock | undefined;
  readonly deadLetter: PipelineBlock | undefined;
}

export interface ReadPipelineResult {
  /** Absent when the file is too broken to have blocks. */
  readonly definition: PipelineDefinition | undefined;
  readonly issues: LocatedIssue[];
  readonly packages: readonly PackageRef[];
}

type Raw = Record<string, unknown>;

/** The profile names in declaration order. */
export function profileNames(value: unknown): string[] {
  return isPlainObject(value) && isPlainObject(value.profiles) ? Object.keys(value.profiles) : [];
}

/**
 * Which profile applies: the one asked for, else the first declared, else none. An unknown
 * profile is an `E_PROFILE` issue.
 */
function selectProfile(value: Raw, asked: string | undefined, locator: Locator, issues: LocatedIssue[]): string | undefined {
  const names = profileNames(value);
  if (asked === undefined) return names[0];
  if (names.includes(asked)) return asked;
  const message = names.length === 0 ? `profile "${asked}" was asked for, but the pipeline declares no profiles` : `unknown profile "${asked}"`;
  issues.push(issueAt(locator, 'E_PROFILE', names.length === 0 ? [] : ['profiles'], message, { atKey: true, ...(names.length > 0 ? { hint: `profiles: ${names.join(', ')}` } : {}) }));
  return undefined;
}

function packagesAt(raw: unknown, path: ConfigPath, locator: Locator): PackageRef[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((name, i) => {
    if (typeof name !== 'string' || name === '') return [];
    const { line, col } = locator.value([...path, i]);
    return [{ name, file: locator.file, line, col, configPath: `${path.join('.')}[${i}]` }];
  });
}

/** The `plugins:` packages of the file and of the profile (read even when the rest is broken). */
export function packagesOf(value: unknown, profile: string | undefined, locator: Locator): PackageRef[] {
  if (!isPlainObject(value)) return [];
  const own = packagesAt(value.plugins, ['plugins'], locator);
  const prof = profile !== undefined && isPlainObject(value.profiles) ? value.profiles[profile] : undefined;
  const extra = isPlainObject(prof) ? packagesAt(prof.plugins, ['profiles', profile!, 'plugins'], locator) : [];
  const seen = new Set<string>();
  return [...own, ...extra].filter((p) => !seen.has(p.name) && (seen.add(p.name), true));
}

interface Entry {
  readonly id: string;
  readonly raw: unknown;
  readonly path: ConfigPath;
}

/** Blocks of one section: the base ones, then the profile's replacing by id or added. */
function sectionEntries(value: Raw, section: 'sources' | 'operators' | 'sinks', profile: string | undefined, locator: Locator, issues: LocatedIssue[]): Entry[] {
  const entries = new Map<string, Entry>();
  const add = (map: unknown, base: ConfigPath) => {
    if (!isPlainObject(map)) return;
    for (const [id, raw] of Object.entries(map)) entries.set(id, { id, raw, path: [...base, id] });
  };
  add(value[section], [section]);
  if (profile !== undefined && section !== 'operators') {
    const prof = (value.profiles as Raw)[profile];
    if (isPlainObject(prof)) add(prof[section], ['profiles', profile, section]);
  }
  const all = [...entries.values()];
  return section === 'sources' ? all.flatMap((e) => expandSourceGroup(e, locator, issues)) : all;
}

/**
 * A source group, `<id>: { outputs: { <name>: <source block> } }`, is several sources read as
 * the named outputs of one: member `<name>` becomes the source `<id>.<name>`, and an input
 * `<id>.<name>` reads it. A profile can so replace one multi-output source (a generator)
 * by one source per topic or bucket without touching the operator chain.
 */
function expandSourceGroup(entry: Entry, locator: Locator, issues: LocatedIssue[]): Entry[] {
  const raw = entry.raw;
  if (!isPlainObject(raw) || !('outputs' in raw)) return [entry];
  if (!isPlainObject(raw.outputs) || Object.keys(raw.outputs).length === 0) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...entry.path, 'outputs'], 'a source group maps output names to source blocks: `outputs: { actions: { kafka: {...} } }`'));
    return [];
  }
  for (const key of Object.keys(raw).filter((k) => k !== 'outputs')) {
    issues.push(issueAt(locator, 'E_UNKNOWN_KEY', [...entry.path, key], `a source group has only \`outputs\`; put "${key}" on each member`, { atKey: true }));
  }
  return Object.entries(raw.outputs).map(([name, member]) => ({ id: `${entry.id}.${name}`, raw: member, path: [...entry.path, 'outputs', name] }));
}

/** Inputs `<group>.<name>` that name a source group member read that member's main output. */
function resolveGroupInputs(blocks: readonly PipelineBlock[], sourceIds: ReadonlySet<string>): PipelineBlock[] {
  return blocks.map((block) => {
    if (!block.inputs.some((i) => i.ref.output !== undefined && sourceIds.has(i.text))) return block;
    const inputs = block.inputs.map((i) => (i.ref.output !== undefined && sourceIds.has(i.text) ? { ...i, ref: { node: i.text } } : i));
    return { ...block, inputs };
  });
}

function outputEntry(value: Raw, key: 'late' | 'dead_letter', profile: string | undefined): Entry | undefined {
  const prof = profile === undefined ? undefined : (value.profiles as Raw)[profile];
  if (isPlainObject(prof) && prof[key] !== undefined && prof[key] !== null) return { id: key, raw: prof[key], path: ['profiles', profile!, key] };
  if (value[key] !== undefined && value[key] !== null) return { id: key, raw: value[key], path: [key] };
  return undefined;
}

export function readPipeline(parsed: ParsedPipelineFile, options: { profile?: string; plugins: PluginLookup }): ReadPipelineResult {
  const { locator } = parsed;
  const issues: LocatedIssue[] = [];
  const value = parsed.value;
  if (!isPlainObject(value)) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', [], 'a pipeline file is a mapping with name, sources, operators and sinks'));
    return { definition: undefined, issues, packages: [] };
  }
  issues.push(...validateConfig(pipelineSpec, value, { locator, path: [] }).issues);
  const profile = selectProfile(value, options.profile, locator, issues);
  const packages = packagesOf(value, profile, locator);
  const blocks = (section: BlockSection, entries: readonly Entry[]): PipelineBlock[] =>
    entries.flatMap((e) => {
      const read = readBlock(section, e.id, e.raw, e.path, locator, options.plugins);
      issues.push(...read.issues);
      return read.block ? [read.block] : [];
    });
  const one = (key: 'late' | 'dead_letter') => {
    const entry = outputEntry(value, key, profile);
    return entry ? blocks(key, [entry])[0] : undefined;
  };
  const sources = blocks('sources', sectionEntries(value, 'sources', profile, locator, issues));
  const sourceIds = new Set(sources.map((s) => s.id));
  const definition: PipelineDefinition = {
    name: typeof value.name === 'string' ? value.name : '',
    description: typeof value.description === 'string' ? value.description : undefined,
    profile,
    sources,
    operators: resolveGroupInputs(blocks('operators', sectionEntries(value, 'operators', profile, locator, issues)), sourceIds),
    sinks: resolveGroupInputs(blocks('sinks', sectionEntries(value, 'sinks', profile, locator, issues)), sourceIds),
    late: one('late'),
    deadLetter: one('dead_letter'),
  };
  const where = profile === undefined ? '' : ` (profile ${profile})`;
  if (definition.sources.length === 0 && !issues.some((i) => i.configPath.startsWith('sources'))) {
    issues.push(issueAt(locator, 'E_MISSING_FIELD', [], `the pipeline has no sources${where}`));
  }
  if (definition.sinks.length === 0 && !issues.some((i) => i.configPath.startsWith('sinks'))) {
    issues.push(issueAt(locator, 'E_MISSING_FIELD', [], `the pipeline has no sinks${where}`));
  }
  return { definition, issues, packages };
}
