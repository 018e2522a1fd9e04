// package.json's `engines.node` must promise no Node version a runtime dependency refuses:
// every installed (non-dev) package's own `engines.node` must admit the whole range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { REPO } from './sluice.ts';

interface LockEntry { readonly dev?: boolean; readonly optional?: boolean; readonly engines?: { readonly node?: string } }

const pkg = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(`${REPO}package-lock.json`, 'utf8')) as { packages: Record<string, LockEntry> };

/**
 * Packages whose declared range is narrower than what they need, each checked by hand:
 * @nats-io/nuid 3 declares ">= 22.x" but uses only `crypto.getRandomValues` (Node 20 has it),
 * and the NATS tests run on Node 20.
 */
const OVERSTATED = new Set(['@nats-io/nuid']);

/** Every Node version worth asking about: each major.minor (0-40 . 0-60), first and late patch. */
const VERSIONS = Array.from({ length: 41 * 61 * 2 }, (_, i) => `${Math.floor(i / 122)}.${Math.floor(i / 2) % 61}.${(i % 2) * 99}`);

void test('engines.node is inside every runtime dependency\'s engines.node', () => {
  const ours = pkg.engines.node;
  assert.ok(semver.validRange(ours), `engines.node '${ours}' is not a semver range`);
  const admitted = VERSIONS.filter((v) => semver.satisfies(v, ours));
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const theirs = entry.engines?.node;
    if (path === '' || entry.dev === true || theirs === undefined) continue;
    const name = path.replace(/^.*node_modules\//, '');
    if (OVERSTATED.has(name)) continue;
    // semver.subset compares one comparator set with one, so `>=22 <26` vs `22.x || … || 25.x` fails it: sample instead.
    const outside = admitted.find((v) => !semver.satisfies(v, theirs));
    if (outside !== undefined) refused.push(`${name} needs ${theirs} (refuses ${outside})`);
  }
  assert.deepEqual(refused, [], `engines.node '${ours}' admits versions these refuse`);
});

void test('the running Node is one engines.node admits', () => {
  assert.ok(semver.satisfies(process.versions.node, pkg.engines.node), `${process.versions.node} vs ${pkg.engines.node}`);
});
