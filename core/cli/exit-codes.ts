/**
 * Exit codes of every `sluice` command (docs/cli.md). Scripts and CI rely on them: keep
 * them stable.
 */
export const EXIT = {
  /** Done, nothing wrong. */
  OK: 0,
  /** Problems found: lint or config errors, a failing pipeline test, docs that drifted. */
  PROBLEMS: 1,
  /** The command line is wrong: unknown command or option, missing argument, unreadable file. */
  USAGE: 2,
  /** The job or the runtime failed while running. */
  RUNTIME: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
