// Module resolve hook (node:module `register`), loaded by api-binding.ts. It binds the
// specifiers a plugin package imports — `sluice/api`, `sluice/testing` — to the files of the
// runtime that loads it, so every plugin shares this runtime's one API instance (one
// `SluiceError` class, one brand) and no `sluice` package has to be installed beside it.
// Plain JavaScript: hooks run on the loader thread, before any TypeScript loader applies.

/** @type {Record<string, string>} specifier → file URL */
let targets = {};

export async function initialize(data) {
  targets = data?.targets ?? {};
}

export async function resolve(specifier, context, nextResolve) {
  const url = targets[specifier];
  if (url !== undefined) return { url, shortCircuit: true };
  return nextResolve(specifier, context);
}
