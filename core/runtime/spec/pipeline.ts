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
function sectionEntries(value: Raw, section: 'sources' | 'operators' | 'sinks', profile: string | undefined): Entry[] {
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
  return [...entries.values()];
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
  const definition: PipelineDefinition = {
    name: typeof value.name === 'string' ? value.name : '',
    description: typeof value.description === 'string' ? value.description : undefined,
    profile,
    sources: blocks('sources', sectionEntries(value, 'sources', profile)),
    operators: blocks('operators', sectionEntries(value, 'operators', profile)),
    sinks: blocks('sinks', sectionEntries(value, 'sinks', profile)),
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
