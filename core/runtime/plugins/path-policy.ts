/**
 * Whether `plugins:` may name a folder (`./x`, `/abs/x`) instead of an installed package:
 * the command line's `--allow-plugin-path`, a process-wide opt-in so every command that
 * loads a pipeline's packages (lint, run, graph, test, plugins) honours it alike. Off by
 * default: a pipeline file alone never makes Sluice run code from an arbitrary folder.
 * No imports, so `sluice --help` stays light.
 */
let allowed = false;

export function allowPluginPaths(allow: boolean): void {
  allowed = allow;
}

export function pluginPathsAllowed(): boolean {
  return allowed;
}
