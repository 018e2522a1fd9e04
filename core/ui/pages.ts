/** The pages' HTML: a shell that loads its bundle (assets.ts); the bundle renders everything. */

/** The shell of page `name` (`job`, or a contributed page's name); `styles`: link `/assets/<name>.css`. */
export function pageHtml(name: string, title: string, styles: boolean, token: string | undefined): string {
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${styles ? `<link rel="stylesheet" href="/assets/${name}.css${q}">\n` : ''}</head>
<body>
<noscript>This page needs JavaScript.</noscript>
<main id="app" data-page="${name}"></main>
<script src="/assets/${name}.js${q}"></script>
</body>
</html>
`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
