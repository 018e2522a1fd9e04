// Types of build-freshness.mjs (plain JavaScript: the bin imports it before any TypeScript loader).
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare const BUILD_ROOTS: readonly string[];
export interface BuildStamp {
  readonly startedAt: number;
  readonly roots?: readonly string[];
  readonly files?: number;
}
export declare function sourceFiles(root?: string): string[];
export declare function readStamp(root?: string): BuildStamp | undefined;
export declare function staleInput(root?: string, stamp?: BuildStamp | undefined): string | undefined;
export declare function buildIsFresh(root?: string): boolean;
export declare function pluginPackageDirs(root?: string): string[];
