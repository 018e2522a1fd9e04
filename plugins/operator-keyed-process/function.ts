/** Keyed functions are part of the public API (core/api/keyed-function.ts); re-exported for this operator. */
export { defineKeyedFunction, keyedFunction, keyedFunctionNames } from '../../core/api/index.ts';
export type { KeyedFunction, KeyedProcessContext } from '../../core/api/index.ts';
