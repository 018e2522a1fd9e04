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

/** The cel-js evaluation of `source` in `scope`, errors as `RecordError('expr_error')`. */
function celEvaluator(source: string, fn: ParseResult, scope: ExprScope): (vars: Record<string, unknown>) => unknown {
  if (scope !== 'record' || !mentionsSelf(source)) {
    return (vars) => {
      try {
        return normalizeCelValue(fn(vars));
      } catch (error) {
        throw exprError(source, error);
      }
    };
  }
  const { slot, context } = selfContext();
  return (vars) => {
    slot.record = vars;
    try {
      return normalizeCelValue(fn(context));
    } catch (error) {
      throw exprError(source, error);
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
}

export function createExpressionCompiler(options: ExpressionCompilerOptions = {}): ExpressionCompiler {
  const fastPath = options.fastPath ?? true;
  return {
    compile(source: string, scope: ExprScope): CompiledExpression {
      const fn = parseExpression(source);
      const slow = celEvaluator(source, fn, scope);
      const fast = fastPath ? compileFastPath(fn.ast, scope) : undefined;
      return { source, evaluate: fast ? withFastPath(fast, slow) : slow };
    },
  };
}
