/**
 * The `sluice` command (commander). `bin/sluice.mjs` awaits `main(argv)` and exits with the
 * code it returns; exit codes are in exit-codes.ts and docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { API_VERSION } from '../api/index.ts';
import { registerConfig } from './commands/config.ts';
import { registerGraph } from './commands/graph.ts';
import { registerLint } from './commands/lint.ts';
import { registerPlugins } from './commands/plugins.ts';
import { registerRun } from './commands/run.ts';
import { registerTest } from './commands/test.ts';
import { registerValidate } from './commands/validate.ts';
import { EXIT } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import { processIo } from './io.ts';
import type { CliIo } from './io.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EXIT_HELP = `
Exit codes:
  0  ok
  1  problems found: lint or config errors, a failing pipeline test, drifted docs
  2  usage: unknown command or option, missing argument, unreadable file
  3  runtime failure: the job failed

Docs: docs/cli.md`;

export function buildProgram(io: CliIo, done: (code: ExitCode) => void): Command {
  const program = new Command('sluice')
    .description('Streaming ETL for TypeScript: YAML pipelines with event-time semantics, plugins as npm packages.')
    .version(`${VERSION} (plugin API ${API_VERSION})`, '-V, --version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', EXIT_HELP);
  for (const register of [registerRun, registerLint, registerGraph, registerPlugins, registerConfig, registerTest, registerValidate]) register(program, io, done);
  // Subcommands inherit neither output nor exit handling; set both on every one.
  const configure = (command: Command): void => {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError('(add --help for usage)');
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the command line `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(io, (c) => (code = c));
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
