#!/usr/bin/env node
// The `sluice` command. Sluice runs its TypeScript sources through tsx's loader, so no
// build step stands between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
// Exit explicitly: a plugin stuck in a native call (e.g. a mkdir that never settles) must not keep a finished job alive.
process.exit(await main(process.argv.slice(2)));
