/**
 * The `sluice` command (commander). `bin/sluice.mjs` awaits `main(argv)` and exits with the
 * code it returns; exit codes are in exit-codes.ts and docs/cli.md. The commands are
 * defined in program.ts and load their modules when they run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { API_VERSION } from '../api/plugin.ts';
import { EXIT } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import { processIo } from './io.ts';
import type { CliIo } from './io.ts';
import { buildProgram } from './program.ts';
import { contributedCommands, mayNeedContributed, wantedCommand } from './contributed.ts';

/** Sluice's version: the nearest package.json above this module (sources and build alike). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the command line `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const version = `${packageVersion()} (plugin API ${API_VERSION})`;
  const builtins = new Set(buildProgram(io, () => undefined, version).commands.map((c) => c.name()));
  // Plugin packages are loaded only for a command line no built-in command answers.
  const contributed = mayNeedContributed(argv, builtins) ? await contributedCommands(io.cwd, wantedCommand(argv)) : [];
  const program = buildProgram(io, (c) => (code = c), version, contributed);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version asked for are fine; every other commander error is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
    }
    io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.RUNTIME;
  }
}
