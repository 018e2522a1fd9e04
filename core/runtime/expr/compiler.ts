/**
 * The runtime's `ExpressionCompiler`: CEL parsed and checked once, evaluated per record.
 *
 * Scope `record`: the record is the evaluation context itself, so its fields are the
 * variables with no copy per record; `self` names the whole record (`has(self.discount)`,
 * since CEL's `has()` needs a field selection). Scope `join`: the caller passes
 * `{ left, right }`.
 *
 * Expressions within the subset of `fast-path.ts` are evaluated by generated functions; a
 * record they cannot decide, and every other expression, is evaluated by cel-js.
 */
import type { ParseResult } from '@marcbachmann/cel-js';
import { RecordError, SluiceError } from '../../api/index.ts';
import type { CompiledExpression, ExprScope, ExpressionCompiler } from '../../api/index.ts';
import { evaluationEnvironment, SELF } from './environment.ts';
import { describeCelError } from './errors.ts';
import { DEFAULT_CEL_MAX_COST, meterComprehensions } from './cost.ts';
import type { CostMeter } from './cost.ts';
import { BAIL, compileFastPath } from './fast-path.ts';
import type { FastEval } from './fast-path.ts';
import { normalizeCelValue } from './normalize.ts';

/** Parses and checks `source`; throws `SluiceError('E_EXPR')` when it does not parse or type-check. */
export function parseExpression(source: string): ParseResult {
  let parsed: ParseResult;
  try {
    parsed = evaluationEnvironment.parse(source);
  } catch (error) {
    throw new SluiceError('E_EXPR', `CEL expression ${JSON.stringify(source)} does not parse: ${describeCelError(error)}`, { cause: error });
  }
  const checked = parsed.check();
  if (!checked.valid) {
    throw new SluiceError('E_EXPR', `CEL expression ${JSON.stringify(source)} does not type-check: ${describeCelError(checked.error)}`, {
      cause: checked.error,
    });
  }
  return parsed;
}

function exprError(source: string, error: unknown): RecordError {
  return new RecordError('expr_error', `CEL ${JSON.stringify(source)}: ${describeCelError(error)}`, { cause: error });
}

/** True when the expression may name `self` (a false positive only costs the slower path). */
function mentionsSelf(source: string): boolean {
  return new RegExp(`\\b${SELF}\\b`).test(source);
}

/**
 * A context that reads fields from the record set last and `self` as the whole record:
 * one object per compiled expression, not per record. Evaluation is synchronous, so the
 * slot is never shared by two evaluations at once.
 */
function selfContext(): { slot: { record: Record<string, unknown> }; context: object } {
  const slot = { record: {} as Record<string, unknown> };
  const context = new Proxy(slot, {
    get: (s, key) => (key === SELF ? s.record : s.record[key as string]),
  });
  return { slot, context };
}

/** The error of a failed evaluation: over budget (whatever cel-js made of it), else expr_error. */
function failure(source: string, error: unknown, meter: CostMeter | undefined): RecordError {
  return meter?.exceeded ? meter.error(source) : exprError(source, error);
}

/**
 * The cel-js evaluation of `source` in `scope`, errors as `RecordError('expr_error')`;
 * comprehensions metered against `maxCost` (`cost.ts`). A quantifier may absorb the cost
 * error of one step (CEL's error semantics), so an exceeded meter fails the evaluation even
 * when cel-js returns a value.
 */
function celEvaluator(source: string, fn: ParseResult, scope: ExprScope, maxCost: number): (vars: Record<string, unknown>) => unknown {
  const meter = meterComprehensions(fn.ast, maxCost, source);
  const run = (context: object): unknown => {
    if (!meter) return fn(context);
    meter.start();
    const value = fn(context);
    if (meter.exceeded) throw meter.error(source);
    return value;
  };
  if (scope !== 'record' || !mentionsSelf(source)) {
    return (vars) => {
      try {
        return normalizeCelValue(run(vars));
      } catch (error) {
        throw failure(source, error, meter);
      }
    };
  }
  const { slot, context } = selfContext();
  return (vars) => {
    slot.record = vars;
    try {
      return normalizeCelValue(run(context));
    } catch (error) {
      throw failure(source, error, meter);
    } finally {
      slot.record = {};
    }
  };
}

/** The fast path first; cel-js for what it cannot decide. */
function withFastPath(fast: FastEval, slow: (vars: Record<string, unknown>) => unknown) {
  return (vars: Record<string, unknown>): unknown => {
    const v = fast(vars);
    return v === BAIL ? slow(vars) : normalizeCelValue(v);
  };
}

export interface ExpressionCompilerOptions {
  /** Evaluate the common subset without cel-js (default true); false keeps cel-js for everything. */
  readonly fastPath?: boolean;
  /** Comprehension iterations allowed per evaluation (default 1,000,000); see `cost.ts`. */
  readonly maxCost?: number;
}

export function createExpressionCompiler(options: ExpressionCompilerOptions = {}): ExpressionCompiler {
  const fastPath = options.fastPath ?? true;
  const maxCost = options.maxCost ?? DEFAULT_CEL_MAX_COST;
  return {
    compile(source: string, scope: ExprScope): CompiledExpression {
      const fn = parseExpression(source);
      const slow = celEvaluator(source, fn, scope, maxCost);
      const fast = fastPath ? compileFastPath(fn.ast, scope) : undefined;
      return { source, evaluate: fast ? withFastPath(fast, slow) : slow };
    },
  };
}
