/**
 * Pages plugin packages contribute to the web UI (`defineUiPage`, core/api/extension.ts).
 * A page is offered for a run whose folder holds its data file: the job page links to it,
 * `GET /<name>` serves its shell, `GET /api/<name>` the data file, `/assets/<name>.js|css`
 * its bundle (assets.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UiPageDefinition } from '../api/index.ts';
import type { UiPageLink } from './types.ts';

/** The links of the pages whose data file `folder` holds now. */
export function availablePages(folder: string, pages: readonly UiPageDefinition[]): UiPageLink[] {
  return pages.filter((p) => existsSync(join(folder, p.dataFile))).map((p) => ({ name: p.name, link: p.link }));
}

/** A page's data file in `folder`, or undefined when there is none. */
export async function readPageData(folder: string, page: UiPageDefinition): Promise<string | undefined> {
  try {
    return await readFile(join(folder, page.dataFile), 'utf8');
  } catch {
    return undefined;
  }
}
