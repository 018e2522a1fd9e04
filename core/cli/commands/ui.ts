/**
 * `sluice ui <run folder> [--host H] [--port N] [--token T]`: serves the web UI of a run
 * from what its folder holds (`ui.json`, the job's last snapshot, and the data of the pages
 * the installed plugin packages contribute),
 * for a finished, stopped or crashed run — or a running one, re-read every 2 s. Read-only;
 * loopback unless `--host` says otherwise, which then needs a token (`--token` or
 * SLUICE_UI_TOKEN). Runs until Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { describeError } from './run.ts';
import type { FolderFeed } from '../../ui/run-folder.ts';

export interface UiOptions {
  readonly host?: string;
  readonly port?: number;
  readonly token?: string;
}

export async function serveRunFolder(folder: string, options: UiOptions, io: CliIo): Promise<ExitCode> {
  const dir = resolve(io.cwd, folder);
  if (!existsSync(join(dir, 'ui.json'))) {
    io.err(`error [E_USAGE]: ${dir} holds no ui.json: run the job with \`sluice run --ui\` (or ui.port set) to record what the UI shows\n`);
    return EXIT.USAGE;
  }
  const { FolderFeed } = await import('../../ui/run-folder.ts');
  const { readPageData } = await import('../../ui/contributed-pages.ts');
  const { UiServer } = await import('../../ui/server.ts');
  const { installedExtensions } = await import('../contributed.ts');
  const pages = (await installedExtensions(io.cwd)).flatMap((e) => (e.kind === 'ui_page' ? [e] : []));
  let feed: FolderFeed | undefined;
  try {
    feed = await FolderFeed.open(dir, undefined, undefined, pages);
    const token = options.token ?? io.env.SLUICE_UI_TOKEN;
    const server = await UiServer.start({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, ...(token ? { token } : {}), feed, pages: pages.map((page) => ({ page, data: () => readPageData(dir, page) })) });
    const s = feed.current()!;
    io.err(`run ${s.runId} of ${s.job} (${s.status}): web UI on ${server.url()} (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.close();
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return EXIT.RUNTIME;
  } finally {
    feed?.close();
  }
}
