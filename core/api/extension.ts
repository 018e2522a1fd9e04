/**
 * Extensions: what a plugin package may contribute besides plugins. A package exports them
 * as it exports plugins (named exports or arrays of them); the runtime finds them by their
 * brand when it loads the package.
 *
 * - `defineCommand`: a `sluice <name>` command. The CLI offers the commands of the plugin
 *   packages installed in the working directory's project (the dependencies of its
 *   package.json that declare `"sluice": {"role": "plugin"}`), and lists them in
 *   `sluice --help`. A package names the modules that export its commands in its
 *   package.json, as subpaths of its exports (`"sluice": {"role": "plugin", "commands":
 *   ["./command"]}`), so that offering them imports those modules only. A command named like a built-in one is ignored.
 * - `defineUiPage`: a page of the web UI (docs/ui.md), shown for a run whose folder holds
 *   the page's data file: `GET /<name>` serves the page, `GET /api/<name>` the data file,
 *   and the job page links to it. Pages come from the pipeline's packages (`sluice run
 *   --ui`) and from the installed ones (`sluice ui <run folder>`).
 *
 * Keep a command's module light: import what its `run` needs inside `run`, so that
 * `sluice --help` stays quick.
 */

/** Brand on every extension, so the loader finds them among a package's exports. */
export const EXTENSION_BRAND = 'sluice.extension/v1';

/** Where a command writes and which folder it runs in. */
export interface CommandIo {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes, as for every `sluice` command (docs/cli.md). */
export type CommandExitCode = 0 | 1 | 2 | 3;

export interface CommandArgument {
  /** Shown in the usage line: `run` is `[run]` when optional, else `<run>`. */
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

export interface CommandOption {
  /** Commander's flags: `--runs-dir <dir>`, `--json`. */
  readonly flags: string;
  readonly description: string;
  readonly default?: string;
  /** Parses the value; throwing (with a message) is a usage error (exit 2). */
  readonly parse?: (value: string) => unknown;
}

export interface CommandDefinition {
  readonly kind: 'command';
  /** The command's word: lowercase letters, digits and `-`. */
  readonly name: string;
  /** One line, for `sluice --help`. */
  readonly summary: string;
  readonly arguments?: readonly CommandArgument[];
  readonly options?: readonly CommandOption[];
  /** Text after the options in `sluice <name> --help` (e.g. its exit codes). */
  readonly help?: string;
  /** Runs the command: arguments in declared order (undefined when an optional one is left out), options by camel-cased long name. */
  run(args: readonly (string | undefined)[], options: Readonly<Record<string, unknown>>, io: CommandIo): Promise<CommandExitCode>;
}

export interface UiPageDefinition {
  readonly kind: 'ui_page';
  /** The page's path segment and asset name: lowercase letters only (`/<name>`, `/assets/<name>.js`). */
  readonly name: string;
  /** The page's `<title>`. */
  readonly title: string;
  /** The job page's link to it. */
  readonly link: string;
  /** The browser module (a file URL) bundled for the page; it renders into `<main id="app">`. Its imported styles become `/assets/<name>.css`. */
  readonly entry: string;
  /** The file, in the run folder, that `GET /api/<name>` serves (JSON); the page is offered when it exists. */
  readonly dataFile: string;
}

export type ExtensionDefinition = CommandDefinition | UiPageDefinition;
export type BrandedExtension<E> = E & { readonly brand: typeof EXTENSION_BRAND };

/** Defines a `sluice <name>` command contributed by a plugin package. */
export function defineCommand(def: Omit<CommandDefinition, 'kind'>): BrandedExtension<CommandDefinition> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new Error(`command name '${def.name}' is not lowercase letters, digits and -`);
  return Object.freeze({ ...def, kind: 'command' as const, brand: EXTENSION_BRAND });
}

/** Defines a web UI page contributed by a plugin package. */
export function defineUiPage(def: Omit<UiPageDefinition, 'kind'>): BrandedExtension<UiPageDefinition> {
  if (!/^[a-z]+$/.test(def.name)) throw new Error(`UI page name '${def.name}' is not lowercase letters`);
  return Object.freeze({ ...def, kind: 'ui_page' as const, brand: EXTENSION_BRAND });
}

export function isExtension(value: unknown): value is BrandedExtension<ExtensionDefinition> {
  return typeof value === 'object' && value !== null && (value as { brand?: unknown }).brand === EXTENSION_BRAND;
}
