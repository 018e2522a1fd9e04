/** The two pages' HTML: a shell that loads its bundle (assets.ts); the bundle renders everything. */
import type { UiEntry } from './assets.ts';

const TITLES: Record<UiEntry, string> = { job: 'Sluice job', experiments: 'Sluice experiments' };

export function pageHtml(entry: UiEntry, token: string | undefined): string {
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[entry]}</title>
${entry === 'experiments' ? `<link rel="stylesheet" href="/assets/${entry}.css${q}">\n` : ''}</head>
<body>
<noscript>This page needs JavaScript.</noscript>
<main id="app" data-page="${entry}"></main>
<script src="/assets/${entry}.js${q}"></script>
</body>
</html>
`;
}
