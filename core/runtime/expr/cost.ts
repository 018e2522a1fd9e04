/**
 * A runtime cost limit for CEL evaluated by cel-js, which (8.0.0) has only parse-time limits.
 *
 * Cost is counted as in cel-go's runtime cost tracking, reduced to what can grow without
 * bound: one unit per iteration of a comprehension (`map`, `filter`, `all`, `exists`,
 * `exists_one`), nested ones included, so `xs.map(a, xs.map(b, …))` over 1000 elements costs
 * 1,001,000. An evaluation past the limit stops at the next iteration and throws
 * `RecordError('cel_cost_exceeded')`: the record is dead-lettered, the job goes on, and the
 * heap holds at most `limit` iterations' worth of results.
 *
 * Expressions without a comprehension are not instrumented (no cost on the flagship's
 * simple expressions, nor on the fast path, which never iterates).
 *
 * How: after the type check, each comprehension's `step` node (reached through macro
 * expansions, `meta.alternate`, and `cel.bind`'s `meta.macro`) gets an own `evaluate` that
 * counts before delegating to the node's resolved evaluator. This relies on cel-js's
 * `ASTNode` shape (`op`, `args`, `meta`, an overridable `evaluate`); `cost.test.ts` pins it.
 */
import { RecordError } from '../../api/index.ts';

/** Default iterations allowed per evaluation (the runtime config `engine.cel_max_cost`). */
export const DEFAULT_CEL_MAX_COST = 1_000_000;

type Evaluate = (ev: unknown, ast: unknown, ctx: unknown) => unknown;

interface CelNode {
  op: string;
  args: unknown;
  readonly meta: { alternate?: CelNode; macro?: Record<string, unknown>; evaluate: Evaluate };
  evaluate: Evaluate;
}

/** Per compiled expression: iterations of the current evaluation. Evaluation is synchronous. */
export class CostMeter {
  used = 0;
  exceeded = false;
  constructor(readonly limit: number) {}

  start(): void {
    this.used = 0;
    this.exceeded = false;
  }

  error(source: string): RecordError {
    return new RecordError('cel_cost_exceeded',
      `CEL ${JSON.stringify(source)}: evaluation cost over ${this.limit} comprehension iterations (setting engine.cel_max_cost)`);
  }
}

function isNode(x: unknown): x is CelNode {
  return typeof x === 'object' && x !== null && typeof (x as CelNode).op === 'string' && 'meta' in x && typeof (x as CelNode).evaluate === 'function';
}

/** The evaluator `node.evaluate` resolves to on its first call (see cel-js ASTNode.evaluate). */
function resolved(node: CelNode): Evaluate {
  const { alternate, macro, evaluate } = node.meta;
  if (alternate) return (ev, _ast, ctx) => alternate.evaluate(ev, alternate, ctx);
  if (macro) return (ev, _ast, ctx) => (macro.evaluate as Evaluate)(ev, macro, ctx);
  return evaluate;
}

function instrument(step: CelNode, meter: CostMeter, source: string): void {
  const inner = resolved(step);
  step.evaluate = (ev, ast, ctx) => {
    if (++meter.used > meter.limit) {
      meter.exceeded = true;
      throw meter.error(source);
    }
    return inner(ev, ast, ctx);
  };
}

/** Every value below `x` that may hold nodes: arrays, comprehension args, macro records. */
function children(x: unknown, out: unknown[]): void {
  if (Array.isArray(x)) out.push(...(x as unknown[]));
  else if (typeof x === 'object' && x !== null && !isNode(x)) out.push(...Object.values(x));
  else out.push(x);
}

/**
 * Instruments the comprehensions of a checked AST; returns the meter, or undefined when the
 * expression has none (then evaluation needs no metering at all).
 */
export function meterComprehensions(root: unknown, limit: number, source: string): CostMeter | undefined {
  const meter = new CostMeter(limit);
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  let found = false;
  while (stack.length) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null || seen.has(x)) continue;
    seen.add(x);
    if (!isNode(x)) {
      children(x, stack);
      continue;
    }
    const { alternate, macro } = x.meta;
    if (alternate) stack.push(alternate);
    if (macro) for (const k of ['val', 'exp', 'args']) if (k in macro) children(macro[k], stack);
    if (x.op === 'comprehension') {
      const a = x.args as { iterable: unknown; init: unknown; step: unknown };
      if (isNode(a.step)) {
        instrument(a.step, meter, source);
        found = true;
      }
      stack.push(a.iterable, a.init, a.step);
    } else {
      children(x.args, stack);
    }
  }
  return found ? meter : undefined;
}
