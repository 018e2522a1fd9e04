/**
 * Checks between an operator and its inputs once it is planned: keys (a keyed operator
 * needs keyed inputs; non-broadcast inputs keyed by as many fields), changelogs (an
 * append-only consumer fed an upsert stream) and allowed lateness (a warning when it
 * shrinks downstream). Inputs whose stream is unknown are not judged.
 */
import { formatDuration } from '../../api/index.ts';
import type { KeySpec, OperatorDefinition, OperatorPlan } from '../../api/index.ts';
import type { PipelineBlock } from '../spec/blocks.ts';
import { issueAt } from '../spec/issues.ts';
import type { Locator } from '../spec/locator.ts';
import type { InputStream } from './streams.ts';
import type { LocatedIssue } from './types.ts';

const show = (key: KeySpec) => `[${key.join(', ')}]`;

/** Each input's key as the operator sees it: its own (`plan.keys`) or the stream's. */
export function inputKeysOf(plan: OperatorPlan, inputs: readonly InputStream[]): (KeySpec | undefined)[] {
  return inputs.map((s, i) => plan.keys?.[i] ?? s.info.key);
}

export function checkOperator(
  block: PipelineBlock,
  plugin: OperatorDefinition,
  plan: OperatorPlan,
  inputs: readonly InputStream[],
  inputKeys: readonly (KeySpec | undefined)[],
  locator: Locator,
  issues: LocatedIssue[],
): void {
  const broadcast = new Set(plan.broadcastInputs ?? []);
  const name = `"${block.id}" (${block.pluginName})`;
  const keyed: { input: InputStream; key: KeySpec }[] = [];
  inputs.forEach((s, i) => {
    if (!s.known || broadcast.has(i)) return;
    const key = inputKeys[i];
    if (plugin.keyed && (key === undefined || key.length === 0)) {
      issues.push(
        issueAt(locator, 'E_KEYING', s.input.path, `keyed operator ${name} fed by an unkeyed stream: "${s.input.text}" has no key`, {
          hint: 'give the operator a `key:`, or key the stream upstream (key_by)',
        }),
      );
    } else if (key !== undefined) {
      keyed.push({ input: s, key });
    }
    if (plugin.consumesUpserts === false && s.info.changelog.mode === 'upsert') {
      issues.push(
        issueAt(locator, 'E_CHANGELOG', s.input.path, `operator ${name} consumes append-only streams, but "${s.input.text}" is an upsert stream (key ${show(s.info.changelog.key)})`, {
          hint: 'feed it an append-only stream, or use an operator that applies updates by key',
        }),
      );
    }
  });
  if (plugin.keyed && keyed.length > 1 && new Set(keyed.map((k) => k.key.length)).size > 1) {
    const list = keyed.map((k) => `"${k.input.input.text}" by ${show(k.key)}`).join(', ');
    issues.push(issueAt(locator, 'E_KEYING', [...block.path, 'input'], `inputs of ${name} are keyed differently: ${list}; their keys need the same number of fields`));
  }
  const upstream = inputs.filter((s, i) => s.known && !broadcast.has(i));
  const widest = upstream.reduce<InputStream | undefined>((m, s) => (!m || s.info.allowedLateness > m.info.allowedLateness ? s : m), undefined);
  if (widest && plan.output.allowedLateness < widest.info.allowedLateness) {
    issues.push(
      issueAt(
        locator,
        'E_CONFIG_INVALID',
        [...block.path, block.pluginName!, 'allowed_lateness'],
        `allowed lateness ${formatDuration(plan.output.allowedLateness)} is smaller than upstream's ${formatDuration(widest.info.allowedLateness)} (via "${widest.input.text}"): records upstream still accepts would be late here`,
        { severity: 'warning', hint: "a downstream operator's allowed_lateness should be at least its upstream's" },
      ),
    );
  }
}
