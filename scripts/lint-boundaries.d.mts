// Types of lint-boundaries.mjs (plain JavaScript: eslint.config.mjs imports it).
import type { ESLint } from 'eslint';

/** `[importing file, imported path prefix, why]`: each a known crossing to remove. */
export declare const EXCEPTIONS: readonly (readonly [string, string, string])[];
/** Why `from` may not import `to` (both relative to the repository root), or undefined when it may. */
export declare function crossing(from: string, to: string): string | undefined;
export declare const boundariesPlugin: ESLint.Plugin;
