/**
 * What the planner knows about each node's output streams, and how an `input:` entry
 * resolves to one. A node whose plugin is unknown or whose config failed has unknown
 * streams: anything downstream of it is still validated, but not checked against it.
 */
import { APPEND_ONLY } from '../../api/index.ts';
import type { FieldType, StreamInfo } from '../../api/index.ts';
import type { InputRef } from '../spec/blocks.ts';
import { issueAt } from '../spec/issues.ts';
import type { Locator } from '../spec/locator.ts';
import { didYouMean } from '../spec/suggest.ts';
import type { ExprFields } from '../spec/validate.ts';
import type { LocatedIssue } from './types.ts';

/** A resolved input: its stream, or `known: false` when upstream could not be planned. */
export interface InputStream {
  readonly input: InputRef;
  readonly info: StreamInfo;
  readonly known: boolean;
}

/** Stands in for a stream that could not be planned. */
export const UNKNOWN_STREAM: StreamInfo = Object.freeze({ changelog: APPEND_ONLY, allowedLateness: 0 });

export class StreamTable {
  /** Node id → output name (`''` main) → stream; `undefined` when the node's streams are unknown. */
  private readonly nodes = new Map<string, ReadonlyMap<string, StreamInfo> | undefined>();

  set(node: string, outputs: ReadonlyMap<string, StreamInfo> | undefined): void {
    this.nodes.set(node, outputs);
  }

  /** Resolves an input; reports a named output that does not exist. Undefined after reporting. */
  resolve(input: InputRef, locator: Locator, issues: LocatedIssue[]): InputStream | undefined {
    const outputs = this.nodes.get(input.ref.node);
    if (outputs === undefined) return { input, info: UNKNOWN_STREAM, known: false };
    const name = input.ref.output ?? '';
    const info = outputs.get(name);
    if (info) return { input, info, known: true };
    const named = [...outputs.keys()].filter((k) => k !== '');
    const message =
      input.ref.output === undefined
        ? `"${input.ref.node}" has only named outputs: name one (${named.map((n) => `${input.ref.node}.${n}`).join(', ')})`
        : named.length === 0
          ? `"${input.ref.node}" has no named outputs; write \`${input.ref.node}\``
          : `"${input.ref.node}" has no output "${input.ref.output}"${didYouMean(input.ref.output, named)}`;
    issues.push(issueAt(locator, 'E_UNKNOWN_INPUT', input.path, message, named.length > 0 ? { hint: `outputs: ${named.join(', ')}` } : {}));
    return undefined;
  }
}

/** The fields an operator's or sink's expressions see: one record, or a join's two sides. */
export function exprFieldsOf(inputs: readonly InputStream[]): ExprFields {
  const fieldsOf = (s: InputStream | undefined) => (s?.known ? s.info.fields : undefined);
  const join = {
    ...(fieldsOf(inputs[0]) ? { left: fieldsOf(inputs[0])! } : {}),
    ...(fieldsOf(inputs[1]) ? { right: fieldsOf(inputs[1])! } : {}),
  };
  if (inputs.length === 0 || inputs.some((s) => !fieldsOf(s))) return { join };
  // Several inputs (a union): any input's field may appear; conflicting types are dyn.
  const record: Record<string, FieldType> = {};
  for (const s of inputs) {
    for (const [name, type] of Object.entries(fieldsOf(s)!)) {
      record[name] = record[name] === undefined || record[name] === type ? type : 'dyn';
    }
  }
  return { record, join };
}
