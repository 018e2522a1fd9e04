/**
 * Writing the rendered plugin docs to a folder, or checking that the folder holds exactly
 * them (`--check`): the same pages, byte for byte, and no page of a plugin that is gone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_NOTE } from './render.ts';

export interface DocsDrift {
  readonly missing: string[];
  readonly changed: string[];
  /** Generated pages with no plugin any more. */
  readonly extra: string[];
}

/** Generated pages already in `dir` (hand-written files there are left alone). */
function generatedIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.md') && readFileSync(join(dir, f), 'utf8').startsWith(GENERATED_NOTE));
}

export function checkDocs(dir: string, pages: ReadonlyMap<string, string>): DocsDrift {
  const drift: DocsDrift = { missing: [], changed: [], extra: [] };
  for (const [name, text] of pages) {
    const path = join(dir, name);
    if (!existsSync(path)) drift.missing.push(name);
    else if (readFileSync(path, 'utf8') !== text) drift.changed.push(name);
  }
  drift.extra.push(...generatedIn(dir).filter((f) => !pages.has(f)));
  return drift;
}

export function hasDrift(drift: DocsDrift): boolean {
  return drift.missing.length + drift.changed.length + drift.extra.length > 0;
}

/** Writes every page and removes generated pages of plugins that no longer exist. Returns what changed. */
export function writeDocs(dir: string, pages: ReadonlyMap<string, string>): DocsDrift {
  const drift = checkDocs(dir, pages);
  mkdirSync(dir, { recursive: true });
  for (const name of [...drift.missing, ...drift.changed]) writeFileSync(join(dir, name), pages.get(name)!);
  for (const name of drift.extra) rmSync(join(dir, name));
  return drift;
}
