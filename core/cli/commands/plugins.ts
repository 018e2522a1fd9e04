/**
 * `sluice plugins list`: every plugin the runtime knows — the built-ins, the plugin packages
 * installed in the project, and those a pipeline names (`--pipeline`) — with kind, name,
 * package and summary.
 *
 * `sluice plugins docs [--out docs/plugins] [--check]`: Markdown reference pages rendered
 * from the built-in plugins' specs; `--check` exits 1 when the folder differs from them.
 * `sluice plugins docs <name>`: one plugin's page on stdout, built-in or from a package.
 */
import { relative, resolve } from 'node:path';
import { formatIssue } from '../../runtime/graph/index.ts';
import { didYouMean } from '../../runtime/spec/index.ts';
import { builtinRegistry, loadInstalledPlugins, registryForPipelines } from '../../runtime/plugins/index.ts';
import type { PluginRegistry, RegisteredPlugin } from '../../runtime/plugins/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { checkDocs, hasDrift, writeDocs } from '../plugin-docs/files.ts';
import { GENERATED_NOTE, renderDocs, renderPluginPage } from '../plugin-docs/render.ts';

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

/** `filter`, `operator/filter`, `operator:filter` or `operator-filter` (the page's name): the plugins it names. */
function matching(registry: PluginRegistry, wanted: string): RegisteredPlugin[] {
  const norm = (s: string): string => s.replace(/-/g, '_');
  return registry.list().filter(({ definition: d }) => {
    const names = [d.name, `${d.kind}/${d.name}`, `${d.kind}:${d.name}`, `${d.kind}_${d.name}`];
    return names.some((n) => norm(n) === norm(wanted));
  });
}

/** One plugin's reference page (every kind's, for a name several kinds use) on stdout. */
export async function pluginDoc(name: string, pipelines: readonly string[], io: CliIo): Promise<ExitCode> {
  const { registry, failed } = await knownPlugins(pipelines, io);
  const found = matching(registry, name);
  if (found.length === 0) {
    const hint = didYouMean(name, new Set(registry.list().map((e) => e.definition.name)));
    io.err(`no plugin named '${name}'${hint}; \`sluice plugins list\` shows them all${failed ? ' (some packages failed to load: see above)' : ''}\n`);
    return EXIT.PROBLEMS;
  }
  io.out(found.map((e) => renderPluginPage(e).replace(`${GENERATED_NOTE}\n\n`, '')).join('\n'));
  return EXIT.OK;
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
