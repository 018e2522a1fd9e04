/**
 * Commands contributed by plugin packages (`defineCommand`, core/api/extension.ts): the
 * command modules the installed plugin packages declare (`"sluice": {"commands": [...]}` in
 * their package.json) are imported only when the command line names no built-in command (or
 * asks for the overall help), so a built-in command never pays for them. Each contributed command gets its arguments, options and
 * help text from its definition; a name a built-in command has is ignored.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { CommandDefinition, ExtensionDefinition, UiPageDefinition } from '../api/index.ts';
import type { ExitCode } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** Whether `argv` may need a contributed command: its first word is no built-in command, or there is none. */
export function mayNeedContributed(argv: readonly string[], builtins: ReadonlySet<string>): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined) return argv.includes('--help') || argv.includes('-h') || argv.length === 0;
  if (first === 'help') return argv.length === 1 || !builtins.has(argv[argv.indexOf(first) + 1] ?? '');
  return !builtins.has(first);
}

/** The runtime's own checkout (or installed package): core/cli's grandparent. */
const RUNTIME_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The nearest folder at or above `dir` that holds a package.json, if any. */
function projectOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The project `cwd` is in, then the runtime's own checkout (once). */
function projectsOf(cwd: string, runtimeRoot: string): string[] {
  return [...new Set([projectOf(cwd), projectOf(runtimeRoot)].filter((d): d is string => d !== undefined))];
}

/**
 * The extensions of the plugin packages installed in the project `cwd` is in, then in the
 * runtime's own (a checkout of Sluice installs the flagship's package); a package that
 * fails to load contributes none.
 */
export async function installedExtensions(cwd: string): Promise<ExtensionDefinition[]> {
  const { PluginRegistry, loadInstalledPlugins } = await import('../runtime/plugins/index.ts');
  const registry = new PluginRegistry();
  for (const project of projectsOf(cwd, RUNTIME_ROOT)) await loadInstalledPlugins(registry, project);
  return registry.extensions.map((e) => e.definition);
}

/**
 * The commands the plugin packages installed in the project `cwd` is in, then in the
 * runtime's own, declare (runtime/plugins/commands.ts). With `wanted` (the command line's
 * first word), only that command's module is imported; without (the overall help), the
 * commands are listed from the packages' package.json alone, each as a stub that loads its
 * module when run.
 */
export async function contributedCommands(cwd: string, wanted: string | undefined): Promise<CommandDefinition[]> {
  const { installedCommandEntries } = await import('../runtime/plugins/commands.ts');
  const found: CommandDefinition[] = [];
  const add = (c: CommandDefinition) => {
    if (!found.some((f) => f.name === c.name)) found.push(c);
  };
  for (const project of projectsOf(cwd, RUNTIME_ROOT)) {
    for (const entry of installedCommandEntries(project)) {
      if (entry.name === undefined || (wanted !== undefined && entry.name === wanted)) {
        for (const c of await entry.load()) if (wanted === undefined || c.name === wanted) add(c);
      } else if (wanted === undefined) {
        add(stub(entry.name, entry.summary, entry.load));
      }
    }
  }
  return found;
}

/** A command known by its name and summary only, for the overall help; running it loads the real one. */
function stub(name: string, summary: string, load: () => Promise<CommandDefinition[]>): CommandDefinition {
  return {
    kind: 'command',
    name,
    summary,
    async run(args, options, io) {
      const real = (await load()).find((c) => c.name === name);
      if (!real) {
        io.err(`error: the command '${name}' could not be loaded\n`);
        return 2;
      }
      return real.run(args, options, io);
    },
  };
}

/** The command line's first word when it may name a contributed command (`help <word>` included); undefined for the overall help. */
export function wantedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'help') return words[1];
  return words[0];
}

/** The UI pages among a registry's extensions (those of the pipeline's packages, for `sluice run --ui`). */
export function uiPagesOf(registry: { readonly extensions: readonly { readonly definition: ExtensionDefinition }[] }): UiPageDefinition[] {
  return registry.extensions.flatMap((e) => (e.definition.kind === 'ui_page' ? [e.definition] : []));
}

/** Adds `definition` to `program` as `sluice <name>`. */
export function defineContributed(program: Command, definition: CommandDefinition, io: CliIo, done: (code: ExitCode) => void): void {
  const command = program.command(definition.name).description(definition.summary);
  for (const a of definition.arguments ?? []) command.argument(a.optional ? `[${a.name}]` : `<${a.name}>`, a.description);
  for (const o of definition.options ?? []) {
    const parse = o.parse;
    const parser = parse
      ? (value: string): unknown => {
          try {
            return parse(value);
          } catch (error) {
            throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
          }
        }
      : undefined;
    if (parser) command.option(o.flags, o.description, parser, o.default);
    else command.option(o.flags, o.description, o.default);
  }
  if (definition.help) command.addHelpText('after', `\n${definition.help}`);
  command.action(async (...given: unknown[]) => {
    const count = definition.arguments?.length ?? 0;
    const args = given.slice(0, count) as (string | undefined)[];
    const options = given[count] as Record<string, unknown>;
    done(await definition.run(args, options, { cwd: io.cwd, out: io.out, err: io.err }));
  });
}
