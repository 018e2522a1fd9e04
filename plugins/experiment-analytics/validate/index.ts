/**
 * `sluice validate`: batch validation of a finished run against its archive, in DuckDB SQL.
 * The CLI calls `validateRun`, prints `formatReport`, and exits 0 when `report.ok`, else 1.
 */
export { validateRun, formatReport, DEFAULT_MAX_LATE_SHARE } from './validate-run.ts';
export type { ValidateOptions, ValidationReport } from './validate-run.ts';
export type { Mismatch } from './checks.ts';
export type { ConservationLine } from './conservation.ts';
export { findSummary, DEFAULT_RUNS_DIR } from './find-run.ts';
export { parseSummary, readSummary, DEFAULT_SETTINGS, ROLES, SUMMARY_FILE, SUMMARY_FORMAT } from './summary.ts';
export type { Role, RunSettings, RunSummary, SourceCounters } from './summary.ts';
export { recomputeStatements } from './recompute.ts';
