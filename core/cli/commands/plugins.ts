/**
 * `sluice plugins list`: every plugin the runtime knows — the built-ins, the plugin packages
 * installed in the project, and those a pipeline names (`--pipeline`) — with kind, name,
 * package and summary.
 *
 * `sluice plugins docs [--out docs/plugins] [--check]`: Markdown reference pages rendered
 * from the built-in plugins' specs; `--check` exits 1 when the folder differs from them.
 */
import { relative, resolve } from 'node:path';
import { formatIssue } from '../../runtime/graph/index.ts';
import { builtinRegistry, loadInstalledPlugins, registryForPipelines } from '../../runtime/plugins/index.ts';
import type { PluginRegistry } from '../../runtime/plugins/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { checkDocs, hasDrift, writeDocs } from '../plugin-docs/files.ts';
import { renderDocs } from '../plugin-docs/render.ts';

/**
 * Every plugin this project can use: built-ins, installed plugin packages, and the packages
 * `pipelines` name. Problems loading a package are printed on stderr. A built-in folder that
 * holds a shared library rather than a plugin (`registry.warnings`) is nothing a user can act
 * on, so it is not printed.
 */
async function knownPlugins(pipelines: readonly string[], io: CliIo): Promise<{ registry: PluginRegistry; failed: boolean }> {
  const { registry, issues } = await registryForPipelines(pipelines, { cwd: io.cwd, env: io.env, builtins: 'all' });
  const installed = await loadInstalledPlugins(registry, io.cwd);
  const problems = [...installed, ...issues];
  writeLines(io.err, problems.map(formatIssue));
  return { registry, failed: problems.some((i) => i.severity === 'error') };
}

export async function listPlugins(pipelines: readonly string[], json: boolean, io: CliIo): Promise<ExitCode> {
  const { registry, failed } = await knownPlugins(pipelines, io);
  const rows = registry.list().map((e) => ({ kind: e.definition.kind, name: e.definition.name, package: e.package, version: e.version, summary: e.definition.summary }));
  if (json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const table = [['KIND', 'NAME', 'PACKAGE', 'SUMMARY'], ...rows.map((r) => [r.kind, r.name, r.package === 'built-in' ? 'built-in' : `${r.package}@${r.version}`, r.summary])];
    const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
    writeLines(io.out, table.map((r) => r.map((v, c) => (c < 3 ? v.padEnd(widths[c]!) : v)).join('  ')));
  }
  return failed ? EXIT.PROBLEMS : EXIT.OK;
}

export async function pluginDocs(out: string, check: boolean, io: CliIo): Promise<ExitCode> {
  const registry = await builtinRegistry();
  const pages = renderDocs(registry.list());
  const dir = resolve(io.cwd, out);
  const shown = relative(io.cwd, dir) || '.';
  if (check) {
    const drift = checkDocs(dir, pages);
    if (!hasDrift(drift)) {
      io.err(`${shown}: ${pages.size} pages up to date\n`);
      return EXIT.OK;
    }
    writeLines(io.err, [
      ...drift.missing.map((f) => `${shown}/${f}: missing`),
      ...drift.changed.map((f) => `${shown}/${f}: differs from the plugin's spec`),
      ...drift.extra.map((f) => `${shown}/${f}: no such plugin any more`),
      'the plugin docs drifted from the specs: run `sluice plugins docs` and commit the result',
    ]);
    return EXIT.PROBLEMS;
  }
  const drift = writeDocs(dir, pages);
  const changed = drift.missing.length + drift.changed.length + drift.extra.length;
  io.err(`${shown}: ${pages.size} pages, ${changed} written or removed\n`);
  return EXIT.OK;
}
