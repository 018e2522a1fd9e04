/**
 * `union`'s output stream: the inputs must share one changelog (all append-only, or all
 * upsert on the same key); the key is kept when every input has the same one; fields are
 * the union of the inputs' (a field's type when all inputs agree, else `dyn`); the
 * allowed lateness is the largest of the inputs'.
 */
import type { ConfigIssue, FieldType, OperatorPlan, StreamInfo } from '../../core/api/index.ts';

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

function describe(s: StreamInfo): string {
  return s.changelog.mode === 'append' ? 'append-only' : `upsert on [${s.changelog.key.join(', ')}]`;
}

function mergeFields(inputs: readonly StreamInfo[]): Record<string, FieldType> | undefined {
  if (inputs.some((s) => !s.fields)) return undefined;
  const out: Record<string, FieldType> = {};
  for (const s of inputs) {
    for (const [name, type] of Object.entries(s.fields!)) out[name] = out[name] === undefined || out[name] === type ? type : 'dyn';
  }
  return out;
}

export function planUnion(inputs: readonly StreamInfo[]): OperatorPlan {
  const first = inputs[0]!;
  const issues: ConfigIssue[] = [];
  inputs.forEach((s, i) => {
    const same = s.changelog.mode === first.changelog.mode
      && (s.changelog.mode === 'append' || sameList(s.changelog.key, (first.changelog as { key: readonly string[] }).key));
    if (!same) issues.push({ path: [], severity: 'error', message: `input ${i} is ${describe(s)} but input 0 is ${describe(first)}: a union needs one changelog` });
  });
  const key = inputs.every((s) => sameList(s.key, first.key)) ? first.key : undefined;
  const fields = mergeFields(inputs);
  const output: StreamInfo = {
    changelog: first.changelog,
    allowedLateness: Math.max(...inputs.map((s) => s.allowedLateness)),
    ...(fields ? { fields } : {}),
    ...(key ? { key } : {}),
  };
  return issues.length ? { output, issues } : { output };
}
