/**
 * Expands a path that may be a glob (`data/*.jsonl`, `logs/**\/app-?.log`,
 * `in/{a,b}.jsonl`) into the matching files, sorted. Written here because Node 20's
 * `fs.glob` and `path.matchesGlob` are experimental and print warnings.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const GLOB_CHARS = /[*?[{]/;

export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/** Translates a glob into an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, rel: string, depth: number, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const e of entries) {
    const relPath = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && depth > 1) await walk(join(dir, e.name), relPath, depth - 1, out);
    else if (e.isFile()) out.push(relPath);
  }
}

/** The files `pattern` names: itself when it is no glob, else every match, sorted. */
export async function expandGlob(pattern: string): Promise<string[]> {
  if (!isGlob(pattern)) return [pattern];
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => isGlob(p));
  const baseParts = parts.slice(0, firstGlob);
  const base = baseParts.join('/');
  const rest = parts.slice(firstGlob);
  const depth = rest.some((p) => p.includes('**')) ? Infinity : rest.length;
  const candidates: string[] = [];
  const dir = baseParts.length === 0 ? '.' : base === '' ? '/' : base;
  await walk(dir, '', depth, candidates);
  const re = globToRegExp(rest.join('/'));
  const prefix = baseParts.length ? `${base}/` : '';
  return candidates.filter((c) => re.test(c)).map((c) => prefix + c).sort();
}
