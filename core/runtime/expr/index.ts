/** CEL expressions: the runtime's `ExpressionCompiler` and the checks lint runs. */
export { createExpressionCompiler, parseExpression } from './compiler.ts';
export { checkExpression } from './check.ts';
export type { JoinFields, KnownFields } from './check.ts';
export { normalizeCelValue } from './normalize.ts';
