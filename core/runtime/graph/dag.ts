/**
 * The shape of the graph before any plugin runs: unique ids, inputs that name a source or
 * an operator, no cycles, and the operators in topological order.
 */
import type { PipelineBlock } from '../spec/blocks.ts';
import { issueAt } from '../spec/issues.ts';
import type { Locator } from '../spec/locator.ts';
import { didYouMean } from '../spec/suggest.ts';
import type { LocatedIssue } from './types.ts';

export interface Dag {
  /** Sources and operators by id (the first block of a duplicated id). */
  readonly nodes: ReadonlyMap<string, PipelineBlock>;
  /** Operators in topological order; operators on a cycle are left out. */
  readonly order: readonly PipelineBlock[];
  /** Operators on a cycle or fed by an unknown node: their streams are not known. */
  readonly broken: ReadonlySet<string>;
}

const SECTION_NAME = { sources: 'source', operators: 'operator', sinks: 'sink', late: 'late output', dead_letter: 'dead-letter output' } as const;

export function buildDag(
  sources: readonly PipelineBlock[],
  operators: readonly PipelineBlock[],
  sinks: readonly PipelineBlock[],
  locator: Locator,
  issues: LocatedIssue[],
): Dag {
  const nodes = new Map<string, PipelineBlock>();
  const all = new Map<string, PipelineBlock>();
  for (const block of [...sources, ...operators, ...sinks]) {
    const first = all.get(block.id);
    if (first) {
      const { line } = locator.key(first.path);
      issues.push(
        issueAt(locator, 'E_DUPLICATE_ID', block.path, `id "${block.id}" is already used by the ${SECTION_NAME[first.section]} at line ${line}; ids are unique across sources, operators and sinks`, {
          atKey: true,
        }),
      );
      continue;
    }
    all.set(block.id, block);
    if (block.section !== 'sinks') nodes.set(block.id, block);
  }
  const broken = new Set<string>();
  for (const block of [...operators, ...sinks]) {
    for (const input of block.inputs) {
      if (nodes.has(input.ref.node)) continue;
      broken.add(block.id);
      const target = all.get(input.ref.node);
      const message = target
        ? `input "${input.text}" is a sink; inputs name sources, operators or named outputs`
        : `unknown input "${input.text}"${didYouMean(input.ref.node, [...nodes.keys()].filter((id) => id !== block.id))}`;
      const others = [...nodes.keys()].filter((id) => id !== block.id);
      issues.push(issueAt(locator, 'E_UNKNOWN_INPUT', input.path, message, { hint: `sources and operators: ${others.join(', ')}` }));
    }
  }
  const order = topologicalOrder(operators, nodes, locator, issues, broken);
  return { nodes, order, broken };
}

/** Depth-first order; every cycle found is reported once, naming its operators. */
function topologicalOrder(
  operators: readonly PipelineBlock[],
  nodes: ReadonlyMap<string, PipelineBlock>,
  locator: Locator,
  issues: LocatedIssue[],
  broken: Set<string>,
): PipelineBlock[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: PipelineBlock[] = [];
  const stack: PipelineBlock[] = [];
  const visit = (block: PipelineBlock): void => {
    state.set(block.id, 'visiting');
    stack.push(block);
    for (const input of block.inputs) {
      const upstream = nodes.get(input.ref.node);
      if (!upstream || upstream.section !== 'operators') continue;
      const s = state.get(upstream.id);
      if (s === 'visiting') {
        const cycle = stack.slice(stack.indexOf(upstream));
        for (const member of cycle) broken.add(member.id);
        // The stack runs downstream to upstream; name the cycle in the direction data flows.
        const names = [upstream.id, ...cycle.reverse().map((b) => b.id)].join(' → ');
        issues.push(issueAt(locator, 'E_CYCLE', input.path, `the operators form a cycle: ${names}`));
      } else if (s === undefined) {
        visit(upstream);
      }
    }
    stack.pop();
    state.set(block.id, 'done');
    if (!broken.has(block.id)) order.push(block);
  };
  for (const op of operators) if (!state.has(op.id) && nodes.get(op.id) === op) visit(op);
  return order;
}
