#!/usr/bin/env node
// The `sluice` command. It runs the compiled build (dist/, made by `npm run build`, which
// `npm ci`, `npm start` and `npm test` run) when that build is fresh: no source under core/,
// plugins/, lib/ or config/ changed since it was made (scripts/build-freshness.mjs). Otherwise —
// no build, a stale one, or SLUICE_FROM_SOURCE=1 — it runs the TypeScript sources through
// tsx's loader, slower to start but never out of date. Both run the same code.
import { buildIsFresh } from '../scripts/build-freshness.mjs';

const fromSource = process.env.SLUICE_FROM_SOURCE === '1' || !buildIsFresh();
let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../core/cli/main.ts'));
} else {
  ({ main } = await import('../dist/core/cli/main.js'));
}
// Exit explicitly: a plugin stuck in a native call (e.g. a mkdir that never settles) must not keep a finished job alive.
process.exit(await main(process.argv.slice(2)));
