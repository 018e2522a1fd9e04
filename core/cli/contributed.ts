/**
 * Commands contributed by plugin packages (`defineCommand`, core/api/extension.ts): the
 * command modules the installed plugin packages declare (`"sluice": {"commands": [...]}` in
 * their package.json) are imported only when the command line names no built-in command (or
 * asks for the overall help), so a built-in command never pays for them. Each contributed command gets its arguments, options and
 * help text from its definition; a name a built-in command has is ignored.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** The nearest folder at or above `dir` that holds a package.json, if any. */
function projectOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The project `cwd` is in, then the runtime's own checkout (once). */
function projectsOf(cwd: string, runtimeRoot: string): string[] {
  return [...new Set([projectOf(cwd), resolve(runtimeRoot)].filter((d): d is string => d !== undefined))];
}

/**
 * The extensions of the plugin packages installed in the project `cwd` is in, then in the
 * runtime's own (a checkout of Sluice installs the flagship's package); a package that
 * fails to load contributes none.
 */
export async function installedExtensions(cwd: string): Promise<ExtensionDefinition[]> {
  const { PluginRegistry, REPO_ROOT, loadInstalledPlugins } = await import('../runtime/plugins/index.ts');
  const registry = new PluginRegistry();
  for (const project of projectsOf(cwd, REPO_ROOT)) await loadInstalledPlugins(registry, project);
  return registry.extensions.map((e) => e.definition);
}

/** The commands the plugin packages installed in the project `cwd` is in, then in the runtime's own, declare (runtime/plugins/commands.ts). */
export async function contributedCommands(cwd: string): Promise<CommandDefinition[]> {
  const { REPO_ROOT, installedCommands } = await import('../runtime/plugins/index.ts');
  const found: CommandDefinition[] = [];
  for (const project of projectsOf(cwd, REPO_ROOT)) {
    for (const c of await installedCommands(project)) if (!found.some((f) => f.name === c.name)) found.push(c);
  }
  return found;
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
