/** Runs the real `sluice` command (bin/sluice.mjs) in a child process, as a user would. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `sluice <args>` from the repository root (or `cwd`), with `env` added to a clean environment.
 * `bin`: another `sluice` command to run (e.g. an installed package's), by default this checkout's.
 */
export function sluice(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; bin?: string } = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  // Only what node needs: config must not pick up SLUICE_* or NODE_ENV from the test runner.
  for (const key of ['PATH', 'HOME', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? `${REPO}bin/sluice.mjs`, ...args], { cwd: options.cwd ?? REPO, env: { ...env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
