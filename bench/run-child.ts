/**
 * Runs one benchmark scenario in a fresh process (`child.ts` of the checkout at `root`) and
 * reads its result: the last stdout line prefixed `@@bench `. Shared by `run.ts` and
 * `compare.ts` (which also runs a baseline checkout's scenarios).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunResult } from './scenario.ts';

const RESULT_PREFIX = '@@bench ';

export function runScenarioChild(root: string, name: string, events: number, keys: number): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(root, 'bin/run-ts.mjs'), 'bench/child.ts', name, String(events), String(keys)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
      const parsed = line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult | { error: string }) : undefined;
      if (parsed && 'error' in parsed) fail(new Error(`${name} (${root}): ${parsed.error}`));
      else if (code !== 0 || !parsed) fail(new Error(`${name} (${root}): run failed (exit ${code})\n${err.trim() || out.trim()}`));
      else done(parsed);
    });
  });
}
