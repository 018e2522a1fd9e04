/**
 * CEL expressions (`where`, `map`, `project`, key and row-key templates), compiled once per
 * pipeline by the runtime. Never `eval` of config text.
 */
import type { ExprScope } from './spec.ts';

/**
 * A compiled expression. `evaluate` takes the variables of its scope: the record itself
 * for scope `record`, `{ left, right }` for scope `join`. It throws a `RecordError` with
 * reason `expr_error` on a missing field or a type error; the runtime dead-letters that
 * record and goes on.
 */
export interface CompiledExpression {
  readonly source: string;
  evaluate(vars: Record<string, unknown>): unknown;
}

export interface ExpressionCompiler {
  compile(source: string, scope: ExprScope): CompiledExpression;
}
