// Headless Debian Chromium for browser tests, through playwright-core (which never downloads
// a browser): `scripts/browser` installs the package when missing and prints its path.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

const root = new URL('../..', import.meta.url).pathname;

/** The Chromium executable (installed by scripts/browser when missing). */
export function chromiumPath(): string {
  return execFileSync('bash', [`${root}scripts/browser`], { encoding: 'utf8' }).trim();
}

/** A headless Chromium; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
