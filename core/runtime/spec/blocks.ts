/**
 * Reads one block: `<id>: { <plugin>: {config}, <block-level keys> }`. Finds the one
 * plugin key (a near miss of a block-level key is an unknown key, anything else an
 * unknown plugin), reads `input`, and validates the block-level settings. The plugin's
 * own config is validated later, by the graph, once the input streams are known.
 */
import type { PluginDefinition, PluginKind } from '../../api/index.ts';
import type { EventTimeSpec, LocatedIssue, PluginLookup, StreamRef } from '../graph/types.ts';
import { isPlainObject } from './describe.ts';
import { issueAt } from './issues.ts';
import type { ConfigPath, Locator } from './locator.ts';
import { BLOCK_KEYS, blockSettings, SECTION_KIND, SNAKE_CASE } from './pipeline-spec.ts';
import type { BlockSection } from './pipeline-spec.ts';
import { closest, didYouMean } from './suggest.ts';
import { validateConfig } from './validate.ts';

/** One `input:` entry: the stream it names and where it is written. */
export interface InputRef {
  readonly ref: StreamRef;
  /** As written: `orders` or `traffic.actions`. */
  readonly text: string;
  readonly path: ConfigPath;
}

export interface PipelineBlock {
  readonly section: BlockSection;
  /** The block id; `late` and `dead_letter` for those outputs. */
  readonly id: string;
  readonly kind: PluginKind;
  /** Document path of the block (`sources.orders`, `profiles.embedded.sinks.out`). */
  readonly path: ConfigPath;
  /** The plugin key, when one was found. */
  readonly pluginName: string | undefined;
  /** The plugin, when the key names a known one. */
  readonly plugin: PluginDefinition | undefined;
  /** The plugin's raw config (validated by the graph against the plugin's spec). */
  readonly config: unknown;
  /** Operators and sinks; empty when none could be read (already reported). */
  readonly inputs: readonly InputRef[];
  readonly eventTime: EventTimeSpec;
  readonly codec: 'json' | 'raw';
}

/** `event_time.max_future` when not set (1 h). */
export const DEFAULT_MAX_FUTURE = 3_600_000;

const NO_EVENT_TIME: EventTimeSpec = { maxOutOfOrderness: 0, maxFuture: DEFAULT_MAX_FUTURE };

interface ParsedEventTime {
  field?: string;
  max_out_of_orderness: number;
  max_future?: number;
  idle_timeout?: number;
  alignment?: { max_drift: number; group?: string; update_interval?: number };
}

function pluginHint(kind: PluginKind, plugins: PluginLookup): string {
  const names = [...plugins.names(kind)].sort();
  return names.length > 0 ? `known ${kind} plugins: ${names.join(', ')}` : `no ${kind} plugins are loaded`;
}

function findPluginKey(
  section: BlockSection,
  block: Record<string, unknown>,
  path: ConfigPath,
  locator: Locator,
  plugins: PluginLookup,
  issues: LocatedIssue[],
): string | undefined {
  const kind = SECTION_KIND[section];
  const blockKeys = BLOCK_KEYS[section];
  const others = Object.keys(block).filter((k) => !blockKeys.includes(k));
  const known = others.filter((k) => plugins.get(kind, k) !== undefined);
  const candidates = [...blockKeys, ...plugins.names(kind)];
  let pluginKey: string | undefined = known[0];
  if (pluginKey === undefined) {
    // The plugin key is the first key that is not a near miss of a block-level key.
    pluginKey = others.find((k) => closest(k, blockKeys) === undefined);
    if (pluginKey !== undefined) {
      issues.push(
        issueAt(locator, 'E_UNKNOWN_PLUGIN', [...path, pluginKey], `unknown ${kind} plugin "${pluginKey}"${didYouMean(pluginKey, plugins.names(kind))}`, {
          atKey: true,
          hint: pluginHint(kind, plugins),
        }),
      );
    }
  }
  for (const key of others) {
    if (key === pluginKey) continue;
    if (known.includes(key)) {
      issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, key], `a block has exactly one plugin key; "${pluginKey}" is already its plugin`, { atKey: true }));
    } else {
      issues.push(issueAt(locator, 'E_UNKNOWN_KEY', [...path, key], `unknown key "${key}"${didYouMean(key, candidates)}`, { atKey: true, hint: `block keys: ${blockKeys.join(', ')}, plus one ${kind} plugin` }));
    }
  }
  if (others.length === 0) {
    issues.push(
      issueAt(locator, 'E_MISSING_FIELD', path, `the block names no ${kind} plugin: give exactly one plugin key`, { atKey: true, hint: pluginHint(kind, plugins) }),
    );
  }
  return pluginKey;
}

function readInputs(raw: unknown, path: ConfigPath, locator: Locator, issues: LocatedIssue[], single: boolean): InputRef[] {
  const at = [...path, 'input'];
  if (raw === undefined || raw === null) {
    issues.push(issueAt(locator, 'E_UNKNOWN_INPUT', path, 'the block has no input: name a source, an operator or a named output (`input: orders`)', { atKey: true }));
    return [];
  }
  const entries: [unknown, ConfigPath][] = Array.isArray(raw) ? raw.map((r, i) => [r, [...at, i]]) : [[raw, at]];
  if (single && Array.isArray(raw)) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', at, 'a sink has one input: write `input: <id>`'));
    return [];
  }
  if (entries.length === 0) issues.push(issueAt(locator, 'E_UNKNOWN_INPUT', at, 'the input list is empty'));
  const out: InputRef[] = [];
  for (const [entry, entryPath] of entries) {
    if (typeof entry !== 'string' || !/^[^.\s]+(\.[^.\s]+)?$/.test(entry)) {
      issues.push(issueAt(locator, 'E_CONFIG_INVALID', entryPath, 'an input is an id (`orders`) or an id and a named output (`traffic.actions`)'));
      continue;
    }
    const dot = entry.indexOf('.');
    const ref: StreamRef = dot < 0 ? { node: entry } : { node: entry.slice(0, dot), output: entry.slice(dot + 1) };
    out.push({ ref, text: entry, path: entryPath });
  }
  return out;
}

export function readBlock(
  section: BlockSection,
  id: string,
  raw: unknown,
  path: ConfigPath,
  locator: Locator,
  plugins: PluginLookup,
): { block: PipelineBlock | undefined; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const kind = SECTION_KIND[section];
  const isOutput = section === 'late' || section === 'dead_letter';
  // A source group member is `<group>.<name>`: both parts snake_case.
  const idParts = section === 'sources' ? id.split('.') : [id];
  if (!isOutput && (idParts.length > 2 || !idParts.every((part) => new RegExp(SNAKE_CASE).test(part)))) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', path, `block id "${id}" must be snake_case (a-z, 0-9, _)`, { atKey: true }));
  }
  if (!isPlainObject(raw)) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', path, `a ${kind} block is a mapping with one ${kind} plugin key`, { hint: pluginHint(kind, plugins) }));
    return { block: undefined, issues };
  }
  const pluginName = findPluginKey(section, raw, path, locator, plugins, issues);
  const settingKeys = BLOCK_KEYS[section].filter((k) => k !== 'input' && k in raw);
  const settingsRaw = Object.fromEntries(settingKeys.map((k) => [k, raw[k]]));
  const settings = validateConfig(blockSettings[section], settingsRaw, { locator, path });
  issues.push(...settings.issues);
  const parsed = (settings.value ?? {}) as { event_time?: ParsedEventTime; codec?: 'json' | 'raw' };
  const et = parsed.event_time;
  const eventTime: EventTimeSpec = et
    ? {
        maxOutOfOrderness: et.max_out_of_orderness ?? 0,
        maxFuture: et.max_future ?? DEFAULT_MAX_FUTURE,
        ...(et.field !== undefined ? { field: et.field } : {}),
        ...(et.idle_timeout !== undefined ? { idleTimeout: et.idle_timeout } : {}),
        ...(et.alignment ? { alignment: { group: et.alignment.group ?? 'default', maxDrift: et.alignment.max_drift, updateInterval: et.alignment.update_interval ?? 0 } } : {}),
      }
    : NO_EVENT_TIME;
  if (et?.alignment && et.idle_timeout === undefined) {
    issues.push(
      issueAt(locator, 'E_CONFIG_INVALID', [...path, 'event_time', 'alignment'], 'watermark alignment needs `event_time.idle_timeout`', {
        atKey: true,
        hint: 'without it a partition that stops bringing records holds the group\'s minimum watermark forever, and the partitions ahead of it stay paused',
      }),
    );
  }
  const inputs = section === 'operators' || section === 'sinks' ? readInputs(raw.input, path, locator, issues, section === 'sinks') : [];
  const block: PipelineBlock = {
    section,
    id,
    kind,
    path,
    pluginName,
    plugin: pluginName === undefined ? undefined : plugins.get(kind, pluginName),
    config: pluginName === undefined ? undefined : raw[pluginName],
    inputs,
    eventTime,
    codec: parsed.codec ?? 'json',
  };
  return { block, issues };
}
