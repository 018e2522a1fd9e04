/** Stylesheets the front-end bundles import (esbuild emits them as the page's .css). */
declare module '*.css';
