/**
 * The experiment dashboard as a page of the web UI (docs/ui.md): `/experiments` for a run
 * whose folder holds `dashboard.json` (written by the `experiment_report` sink, writer.ts).
 */
import { defineUiPage } from 'sluice/api';
import { DASHBOARD_FILE } from './writer.ts';

export const experimentDashboardPage = defineUiPage({
  name: 'experiments',
  title: 'Sluice experiments',
  link: 'experiment dashboard',
  // The browser module is bundled from its source; compiled, this file is dist/dashboard/page.js.
  entry: new URL(import.meta.url.endsWith('.ts') ? './web/dashboard-page.ts' : '../../dashboard/web/dashboard-page.ts', import.meta.url).href,
  dataFile: DASHBOARD_FILE,
});
