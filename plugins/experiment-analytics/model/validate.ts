/**
 * Validation of the flagship's records. `check*` return the typed record or throw a
 * `RecordError` (the runtime dead-letters the record with that reason); `*Issues` list
 * every problem, for lint-like reports and tests. Checks are plain `typeof` tests, cheap
 * enough for the hot path; no copy is made of a valid record.
 */
import { RecordError } from 'sluice/api';
import type { Row } from 'sluice/api';
import { DIRECTIONS } from './types.ts';
import type { Action, Activation, ExperimentMeta, Weights } from './types.ts';

/** Identifiers: no `|` (the row-key separator), no control characters, 1–200 characters. */
export const ID_PATTERN = /^[^|\u0000-\u001f]{1,200}$/;
const WEIGHT_TOLERANCE = 1e-9;

const isId = (v: unknown): v is string => typeof v === 'string' && ID_PATTERN.test(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function requireIds(row: Row, names: readonly string[], issues: string[]): void {
  for (const name of names) if (!isId(row[name])) issues.push(`${name} must be a non-empty string without '|' (got ${JSON.stringify(row[name])})`);
}

export function activationIssues(row: Row): string[] {
  const issues: string[] = [];
  requireIds(row, ['event_id', 'user_id', 'experiment_id', 'group'], issues);
  if (!isTime(row.ts)) issues.push(`ts must be integer epoch milliseconds (got ${JSON.stringify(row.ts)})`);
  return issues;
}

export function actionIssues(row: Row): string[] {
  const issues: string[] = [];
  requireIds(row, ['event_id', 'user_id', 'action'], issues);
  if (!isTime(row.ts)) issues.push(`ts must be integer epoch milliseconds (got ${JSON.stringify(row.ts)})`);
  return issues;
}

function weightIssues(weights: unknown, groups: readonly string[], where: string): string[] {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) return [`${where} must be an object group → weight`];
  const w = weights as Record<string, unknown>;
  const issues: string[] = [];
  let sum = 0;
  for (const [group, value] of Object.entries(w)) {
    if (!groups.includes(group)) issues.push(`${where} names unknown group '${group}'`);
    if (typeof value !== 'number' || !(value >= 0)) issues.push(`${where}.${group} must be a number ≥ 0`);
    else sum += value;
  }
  for (const g of groups) if (!(g in w)) issues.push(`${where} has no weight for group '${g}'`);
  if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) issues.push(`${where} must sum to 1 (sums to ${sum})`);
  return issues;
}

const sameWeights = (a: Weights, b: Weights): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([g, w]) => b[g] === w);

export function experimentMetaIssues(row: Row): string[] {
  const issues: string[] = [];
  requireIds(row, ['event_id', 'experiment_id', 'control'], issues);
  const groups = row.groups;
  if (!Array.isArray(groups) || groups.length < 2 || !groups.every(isId) || new Set(groups).size !== groups.length) {
    issues.push('groups must list at least two distinct identifiers');
    return issues;
  }
  const gs = groups as string[];
  if (!gs.includes(row.control as string)) issues.push(`control '${String(row.control)}' is not one of the groups`);
  issues.push(...weightIssues(row.weights, gs, 'weights'));
  if (typeof row.alpha !== 'number' || !(row.alpha > 0 && row.alpha < 1)) issues.push('alpha must be a number in (0, 1)');
  if (!Number.isInteger(row.n_star) || (row.n_star as number) < 1) issues.push('n_star must be a positive integer');
  const actions = row.actions;
  if (typeof actions !== 'object' || actions === null || Array.isArray(actions) || Object.keys(actions).length === 0) issues.push('actions must map at least one action to its direction');
  else for (const [name, dir] of Object.entries(actions)) {
    if (!ID_PATTERN.test(name) || name === '_') issues.push(`action name '${name}' is not allowed ('_' is the trigger row)`);
    if (!DIRECTIONS.includes(dir as never)) issues.push(`actions.${name} must be one of ${DIRECTIONS.join(', ')}`);
  }
  if (!isTime(row.effective_from)) issues.push('effective_from must be integer epoch milliseconds');
  if (!isTime(row.ts)) issues.push('ts must be integer epoch milliseconds');
  const ramps = row.ramps;
  if (!Array.isArray(ramps) || ramps.length === 0) {
    issues.push('ramps must list the launch and each later ramp');
    return issues;
  }
  let prev = -Infinity;
  let inForce: Weights | undefined;
  ramps.forEach((r: unknown, i) => {
    const ramp = r as { ts?: unknown; weights?: unknown };
    if (typeof r !== 'object' || r === null || !isTime(ramp.ts)) {
      issues.push(`ramps[${i}].ts must be integer epoch milliseconds`);
      return;
    }
    if (ramp.ts <= prev) issues.push(`ramps[${i}].ts must be after ramps[${i - 1}].ts`);
    prev = ramp.ts;
    issues.push(...weightIssues(ramp.weights, gs, `ramps[${i}].weights`));
    if (isTime(row.effective_from) && ramp.ts <= row.effective_from) inForce = ramp.weights as Weights;
  });
  if (isTime(row.effective_from) && (ramps[0] as { ts?: number }).ts! > row.effective_from) issues.push('effective_from is before the launch');
  else if (inForce && typeof row.weights === 'object' && row.weights !== null && !sameWeights(inForce, row.weights as Weights)) {
    issues.push('weights differ from those of the latest ramp at or before effective_from');
  }
  return issues;
}

function checked<T>(row: Row, issues: string[], reason: string, what: string): T {
  if (issues.length) throw new RecordError(reason, `invalid ${what}: ${issues.join('; ')}`);
  return row as unknown as T;
}

/** Fast path first: a valid record costs a few `typeof` tests and no allocation. */
export function checkActivation(row: Row): Activation {
  if (isId(row.event_id) && isId(row.user_id) && isId(row.experiment_id) && isId(row.group) && isTime(row.ts)) return row as unknown as Activation;
  return checked(row, activationIssues(row), 'invalid_activation', 'activation');
}

export function checkAction(row: Row): Action {
  if (isId(row.event_id) && isId(row.user_id) && isId(row.action) && isTime(row.ts)) return row as unknown as Action;
  return checked(row, actionIssues(row), 'invalid_action', 'action');
}

export const checkExperimentMeta = (row: Row): ExperimentMeta => checked(row, experimentMetaIssues(row), 'invalid_metadata', 'experiment metadata');
