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
  entry: new URL('./web/dashboard-page.ts', import.meta.url).href,
  dataFile: DASHBOARD_FILE,
});
