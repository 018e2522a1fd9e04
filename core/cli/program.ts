/**
 * The command line's surface: every command's name, arguments, options and help text. Each
 * action imports its command's module (commands/*.ts) when it runs, so `sluice --help` loads
 * commander and this file only, and `sluice lint` never loads the engine.
 */
import { Command } from 'commander';
import { collect, port, positiveInteger } from './arguments.ts';
import { defineContributed } from './contributed.ts';
import type { CommandDefinition } from '../api/index.ts';
import { allowPluginPaths } from '../runtime/plugins/path-policy.ts';
import { EXIT } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export const EXIT_HELP = `
Exit codes:
  0  ok
  1  problems found: lint or config errors, a failing pipeline test, drifted docs
  2  usage: unknown command or option, missing argument, unreadable file
  3  runtime failure: the job failed

Docs: docs/cli.md`;

type Done = (code: ExitCode) => void;

function usage(io: CliIo, done: Done, message: string): void {
  io.err(`error: ${message}\n(add --help for usage)\n`);
  done(EXIT.USAGE);
}

function defineRun(program: Command, io: CliIo, done: Done): void {
  program
    .command('run')
    .description('Run a pipeline until end of input, --events N, or Ctrl-C (graceful: drain, checkpoint, close).')
    .argument('<pipeline>', 'pipeline file')
    .option('--profile <name>', 'profile to run (default: the first the file declares)')
    .option('--set <path=value>', 'override a runtime config value, e.g. --set checkpoint.interval=30s (repeatable)', collect, [])
    .option('--events <n>', 'stop after n source records over the whole run (a restored checkpoint counts what it read)', positiveInteger)
    .option('--reset-state', 'ignore existing checkpoints and committed positions; start from scratch')
    .option('--from-savepoint <id>', 'start from this savepoint (sluice savepoint list) instead of the latest checkpoint')
    .option('--allow-dropped-state', 'with --from-savepoint: drop the state of operators the pipeline no longer has instead of refusing')
    .option('--workers <n>', 'start n local processes of the job as tasks (sets job.tasks; one task per Kafka partition)', positiveInteger)
    .option('--ui [port]', 'serve the read-only web UI on 127.0.0.1 (ui.host), on this port or ui.port, else a free one (docs/ui.md)', port)
    .addHelpText('after', '\nExit: 0 finished or stopped, 1 the pipeline or the config is invalid, 2 usage, 3 the job failed (or the savepoint does not fit).')
    .action(async (file: string, opts: { profile?: string; set: string[]; events?: number; resetState?: boolean; fromSavepoint?: string; allowDroppedState?: boolean; workers?: number; ui?: true | number }) => {
      if (opts.ui !== undefined && opts.workers !== undefined) return usage(io, done, '--ui does not apply to --workers yet');
      if (opts.fromSavepoint !== undefined && opts.resetState) return usage(io, done, '--from-savepoint and --reset-state exclude each other');
      if (opts.allowDroppedState && opts.fromSavepoint === undefined) return usage(io, done, '--allow-dropped-state goes with --from-savepoint');
      const { run } = await import('./commands/run.ts');
      done(await run(file, { ...opts }, io));
    });
}

function defineSavepoint(program: Command, io: CliIo, done: Done): void {
  const savepoint = program
    .command('savepoint')
    .description('Savepoints: checkpoints kept until deleted, to restart a changed pipeline from (run --from-savepoint <id>).');
  savepoint
    .command('trigger', { isDefault: true })
    .description('Ask the running job for a savepoint (POST /savepoints on its metrics endpoint); print its id when complete.')
    .argument('<pipeline>', 'pipeline file of the running job')
    .option('--profile <name>', 'profile the job runs (default: the first the file declares)')
    .option('--set <path=value>', 'the --set values the job runs with (repeatable): the endpoint is its metrics.host and metrics.port', collect, [])
    .option('--endpoint <host:port>', "the job's endpoint, instead of the config's metrics.host:metrics.port")
    .option('--output <format>', 'text (the id alone on stdout) or json', 'text')
    .addHelpText('after', '\n`sluice savepoint <pipeline>` is short for `sluice savepoint trigger <pipeline>`.\nExit: 0 taken, 1 the pipeline or the config is invalid, 2 usage, 3 no job answered or it declined.')
    .action(async (file: string, opts: { profile?: string; set: string[]; endpoint?: string; output: string }) => {
      if (opts.output !== 'text' && opts.output !== 'json') return usage(io, done, `--output is text or json, not '${opts.output}'`);
      const { triggerSavepoint } = await import('./commands/savepoint.ts');
      done(await triggerSavepoint(file, { ...opts, output: opts.output }, io));
    });
  savepoint
    .command('list')
    .description("List the savepoints in the job's checkpoint store (works with the job stopped).")
    .argument('<pipeline>', 'pipeline file')
    .option('--profile <name>', 'profile (default: the first the file declares)')
    .option('--set <path=value>', 'override a runtime config value (repeatable), as for run', collect, [])
    .option('--output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExit: 0 listed, 1 the pipeline or the config is invalid, 2 usage, 3 the store failed.')
    .action(async (file: string, opts: { profile?: string; set: string[]; output: string }) => {
      if (opts.output !== 'text' && opts.output !== 'json') return usage(io, done, `--output is text or json, not '${opts.output}'`);
      const { listSavepointsCommand } = await import('./commands/savepoint.ts');
      done(await listSavepointsCommand(file, { ...opts, output: opts.output }, io));
    });
  savepoint
    .command('delete')
    .description("Delete a savepoint from the job's checkpoint store (works with the job stopped).")
    .argument('<pipeline>', 'pipeline file')
    .argument('<id>', 'savepoint id (sp-…)')
    .option('--profile <name>', 'profile (default: the first the file declares)')
    .option('--set <path=value>', 'override a runtime config value (repeatable), as for run', collect, [])
    .addHelpText('after', '\nExit: 0 deleted, 1 the pipeline or the config is invalid or no such savepoint, 2 usage, 3 the store failed.')
    .action(async (file: string, id: string, opts: { profile?: string; set: string[] }) => {
      const { deleteSavepointCommand } = await import('./commands/savepoint.ts');
      done(await deleteSavepointCommand(file, id, opts, io));
    });
}

function defineUi(program: Command, io: CliIo, done: Done): void {
  program
    .command('ui')
    .description('Serve the read-only web UI of a run from its folder (ui.json, dashboard.json): finished, crashed or running.')
    .argument('<run folder>', 'the run folder, e.g. .sluice/runs/<job>/<run id>')
    .option('--host <address>', 'address to bind (default 127.0.0.1); any other needs --token or SLUICE_UI_TOKEN')
    .option('--port <n>', 'port (default: a free one)', port)
    .option('--token <token>', 'token every request must carry (?token= or Authorization: Bearer)')
    .addHelpText('after', '\nExit: 0 stopped with Ctrl-C, 2 no ui.json in the folder, 3 cannot serve (e.g. a non-loopback address without a token).')
    .action(async (folder: string, opts: { host?: string; port?: number; token?: string }) => {
      const { serveRunFolder } = await import('./commands/ui.ts');
      done(await serveRunFolder(folder, opts, io));
    });
}

function defineLint(program: Command, io: CliIo, done: Done): void {
  program
    .command('lint')
    .description('Check pipeline files: YAML, keys, types, plugins, inputs, keys and changelogs, lateness, CEL, ${VAR}s.')
    .argument('<files...>', 'pipeline files (pipelines/*.yaml)')
    .addHelpText('after', '\nPrints one problem per line as `file:line:col  <config path>  <message> [CODE]`.\nA *.test.yaml file is checked as a pipeline test (docs/pipeline-tests.md).\nExit: 0 no error (warnings allowed), 1 errors found, 2 a file cannot be read.')
    .action(async (files: string[]) => {
      const { lint } = await import('./commands/lint.ts');
      done(await lint(files, io));
    });
}

function defineGraph(program: Command, io: CliIo, done: Done): void {
  program
    .command('graph')
    .description('Print the pipeline as a Mermaid flowchart: sources, operators, sinks, late and dead-letter outputs.')
    .argument('<pipeline>', 'pipeline file')
    .option('--profile <name>', 'profile to compile (default: the first the file declares)')
    .addHelpText('after', '\nPaste the output into any Mermaid renderer, or a ```mermaid block on GitHub.\nExit: 0 printed, 1 the pipeline has errors, 2 it cannot be read.')
    .action(async (file: string, opts: { profile?: string }) => {
      const { graph } = await import('./commands/graph.ts');
      done(await graph(file, opts.profile, io));
    });
}

function definePlugins(program: Command, io: CliIo, done: Done): void {
  const plugins = program.command('plugins').description('List plugins and render their reference docs.');
  plugins
    .command('list')
    .description('List every plugin: built-ins, installed plugin packages, and those the given pipelines load.')
    .option('--pipeline <file>', 'also load the packages this pipeline names under plugins: (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit: 0 listed, 1 a plugin package could not be loaded (printed on stderr).')
    .action(async (opts: { pipeline: string[]; json?: boolean }) => {
      const { listPlugins } = await import('./commands/plugins.ts');
      done(await listPlugins(opts.pipeline, opts.json === true, io));
    });
  plugins
    .command('docs')
    .description("Print one plugin's reference (built-in or from a package), or render every built-in's page to a folder.")
    .argument('[name]', 'a plugin: filter, or kind/name when several kinds share the name (source/file); print its page on stdout')
    .option('--pipeline <file>', 'with <name>: also look in the packages this pipeline names under plugins: (repeatable)', collect, [])
    .option('--out <dir>', 'without <name>: folder to write to', 'docs/plugins')
    .option('--check', 'without <name>: write nothing; exit 1 when the folder differs from what would be written')
    .addHelpText('after', '\nWith <name>: the page of that plugin (every kind of it when several share the name), from the built-ins,\nthe installed plugin packages and the --pipeline files\' packages.\nWithout: one page per built-in (<kind>-<name>.md) and an index (README.md).\nExit: 0 printed, written or up to date, 1 no such plugin or --check found drift.')
    .action(async (name: string | undefined, opts: { pipeline: string[]; out: string; check?: boolean }) => {
      const { pluginDoc, pluginDocs } = await import('./commands/plugins.ts');
      if (name !== undefined) {
        if (opts.check) return usage(io, done, '--check goes with the whole folder, not with a plugin name');
        return done(await pluginDoc(name, opts.pipeline, io));
      }
      done(await pluginDocs(opts.out, opts.check === true, io));
    });
}

function defineConfig(program: Command, io: CliIo, done: Done): void {
  program
    .command('config')
    .description('Print the effective runtime configuration and where each value came from; secrets redacted.')
    .option('--set <path=value>', 'override a value, e.g. --set checkpoint.interval=30s (repeatable)', collect, [])
    .option('--json', 'print JSON: {path: {value, origin}}')
    .option('--docs', 'print the reference of every field as Markdown (docs/configuration.md) instead; reads no layer')
    .addHelpText(
      'after',
      '\nLayers, lowest first: schema default < config/default.yaml < config/$NODE_ENV.yaml < environment (SLUICE_*) < --set.\nEvery field: docs/configuration.md (npx sluice config --docs).\nExit: 0 valid, 1 a layer has an invalid value or key (printed on stderr), 2 a malformed --set.',
    )
    .action(async (opts: { set: string[]; json?: boolean; docs?: boolean }) => {
      if (opts.docs) {
        const { renderConfigReference } = await import('../runtime/config/reference.ts');
        io.out(renderConfigReference());
        return done(EXIT.OK);
      }
      const { showConfig } = await import('./commands/config.ts');
      done(showConfig(opts.set, opts.json === true, io));
    });
}

function defineTest(program: Command, io: CliIo, done: Done): void {
  program
    .command('test')
    .description('Run declarative pipeline tests (pipelines/<name>.test.yaml): inputs per source, expected records per output.')
    .argument('<files...>', 'test files')
    .addHelpText(
      'after',
      '\nFormat: docs/pipeline-tests.md. The process environment is not read: a test file gives its ${VAR}s under env:.\n' +
        'Exit: 0 all passed, 1 a test failed or a test file is invalid, 2 a file cannot be read, 3 a job failed while running.',
    )
    .action(async (files: string[]) => {
      const { testPipelines } = await import('./commands/test.ts');
      done(await testPipelines(files, io));
    });
}

/**
 * The `sluice` program: every command, with output and exit handling set on each. After the
 * built-ins, the commands plugin packages contribute (contributed.ts); one named like a
 * built-in is left out.
 */
export function buildProgram(io: CliIo, done: Done, version: string, contributed: readonly CommandDefinition[] = []): Command {
  const program = new Command('sluice')
    .description('Streaming ETL for TypeScript: YAML pipelines with event-time semantics, plugins as npm packages.')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .option('--allow-plugin-path', 'let plugins: name a folder (./x, /abs/x) instead of an installed package; for plugins you trust')
    .addHelpText('after', EXIT_HELP);
  program.hook('preAction', () => allowPluginPaths(program.opts<{ allowPluginPath?: boolean }>().allowPluginPath === true));
  for (const define of [defineRun, defineSavepoint, defineLint, defineGraph, definePlugins, defineConfig, defineTest, defineUi]) define(program, io, done);
  for (const definition of contributed) {
    if (!program.commands.some((c) => c.name() === definition.name)) defineContributed(program, definition, io, done);
  }
  // Subcommands inherit neither output nor exit handling; set both on every one.
  const configure = (command: Command): void => {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError('(add --help for usage)');
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}
