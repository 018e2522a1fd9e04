/** Where a command writes: stdout for results, stderr for problems and progress. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Working directory for relative paths. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
};

/** Writes `lines` each followed by a newline; nothing for none. */
export function writeLines(write: (text: string) => void, lines: readonly string[]): void {
  if (lines.length > 0) write(`${lines.join('\n')}\n`);
}
