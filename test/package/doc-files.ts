/**
 * The files a Markdown page writes out whole: each fenced block whose info string names a
 * path after the language (```json my-project/package.json), keyed by that path. The
 * out-of-tree test builds its projects from docs/plugin-authoring.md this way, so the page
 * and the test cannot drift apart.
 */
import { readFileSync } from 'node:fs';

const FENCE = /^```[\w-]+ +([\w./@-]+)\n([\s\S]*?)^```$/gm;

export function docFiles(markdownFile: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [, path, body] of readFileSync(markdownFile, 'utf8').matchAll(FENCE)) {
    if (files.has(path!)) throw new Error(`${markdownFile}: ${path} is written twice`);
    files.set(path!, body!);
  }
  return files;
}
