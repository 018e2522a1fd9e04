// The layers' import boundaries (docs/architecture.md, "Layers"), as a local ESLint rule
// `sluice/boundaries` that eslint.config.mjs turns on. Each relative import (static, dynamic
// with a literal path, or re-export) is resolved to a path inside the repository and checked:
//
// - a plugin (`plugins/<x>/`) imports only `core/api` (the public API), its own folder and
//   `lib/` (client libraries that are not plugins); its tests beside it may also use the test
//   kit and the engine (`core/testing`, `core/runtime`, `core/telemetry`) and other plugins;
// - a plugin package (`plugins/<x>/` with its own package.json, e.g. experiment-analytics),
//   tests included, imports nothing outside its folder by a relative path: Sluice only as
//   `sluice/api` and `sluice/testing`, as a third party's package would;
// - `core/api` imports nothing from `core/runtime`, `core/cli`, `plugins/` or `lib/`;
// - `core/runtime` imports nothing from `plugins/`.
//
// Imports that cross a boundary today are listed in EXCEPTIONS, each with its reason, so
// that the next step can remove them; anything new across a boundary is an error.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `[importing file, imported path prefix, why]`: each a known crossing to remove. */
export const EXCEPTIONS = [
];

const isTest = (file) => file.endsWith('.test.ts');

/** Why `from` may not import `to` (both relative to the repository root), or undefined when it may. */
export function crossing(from, to) {
  if (EXCEPTIONS.some(([file, prefix]) => file === from && to.startsWith(prefix))) return undefined;
  if (from.startsWith('plugins/')) {
    const own = from.split('/').slice(0, 2).join('/') + '/';
    if (to.startsWith(own)) return undefined;
    if (existsSync(join(ROOT, own, 'package.json'))) return 'a plugin package imports nothing outside its folder but sluice/api and sluice/testing';
    if (to.startsWith('core/api/') || to.startsWith('lib/')) return undefined;
    if (isTest(from) && ['core/testing/', 'core/runtime/', 'core/telemetry/', 'plugins/'].some((p) => to.startsWith(p))) return undefined;
    return 'a plugin imports only core/api, its own folder and lib/';
  }
  if (from.startsWith('core/api/')) {
    if (['core/runtime/', 'core/cli/', 'plugins/', 'lib/'].some((p) => to.startsWith(p))) return 'core/api imports nothing from core/runtime, core/cli, plugins/ or lib/';
    return undefined;
  }
  if (from.startsWith('core/runtime/') && to.startsWith('plugins/')) return 'core/runtime imports no plugin';
  return undefined;
}

const toPosix = (path) => path.split(sep).join('/');

/** The rule: reports each import that `crossing` refuses. */
const boundaries = {
  meta: { type: 'problem', schema: [], messages: { crossing: '{{from}} may not import {{to}}: {{why}} (docs/architecture.md, "Layers")' } },
  create(context) {
    const from = toPosix(relative(ROOT, context.filename));
    if (from.startsWith('..')) return {};
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = toPosix(relative(ROOT, resolve(dirname(context.filename), source.value)));
      const why = crossing(from, to);
      if (why) context.report({ node: source, messageId: 'crossing', data: { from, to, why } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export const boundariesPlugin = { rules: { boundaries } };
