// What an operator does in the Jaeger UI (v1.74, served by scripts/services), as page steps
// for browser tests and screenshot scripts: search a service, sort the results, open a trace,
// read its spans, switch the trace view. Selectors are the UI's own class names and labels.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Jaeger's query HTTP endpoint (API and UI). */
export const JAEGER_QUERY = process.env['SLUICE_JAEGER_QUERY'] ?? 'http://127.0.0.1:16686';

/** What the Go build serves when no UI assets are configured. */
const PLACEHOLDER = 'This is not the Jaeger UI you are looking for';

/** Opens the search page; throws when Jaeger serves the placeholder instead of the UI. */
export async function openSearchPage(page: Page, query = ''): Promise<void> {
  await page.goto(`${JAEGER_QUERY}/search${query}`);
  const body = await page.content();
  if (body.includes(PLACEHOLDER)) {
    throw new Error(`${JAEGER_QUERY} serves no UI (its placeholder page): build and serve it with \`scripts/services down jaeger && scripts/services up jaeger\` (see docs/services.md)`);
  }
  await page.getByRole('button', { name: 'Find Traces' }).waitFor();
}

/** Picks an option of one of the search form's searchable selects (antd) by the field's name. */
async function choose(page: Page, field: string, option: string): Promise<void> {
  await page.locator(`.ant-select[name="${field}"]`).click();
  await page.keyboard.type(option);
  await page.locator('.ant-select-item-option').filter({ hasText: option }).first().click();
}

/** Chooses `service` (and `operation`) in the search form and presses Find Traces. */
export async function searchService(page: Page, service: string, operation?: string): Promise<void> {
  await choose(page, 'service', service);
  if (operation) await choose(page, 'operation', operation);
  await page.getByRole('button', { name: 'Find Traces' }).click();
  await waitForResults(page);
}

/** Waits for the search results (at least one trace). */
export async function waitForResults(page: Page): Promise<void> {
  await page.locator('.ResultItem').first().waitFor({ timeout: 30_000 });
}

/** Sorts the results: 'Most Recent', 'Longest First', 'Shortest First', 'Most Spans', 'Least Spans'. */
export async function sortResults(page: Page, by: string): Promise<void> {
  await page.locator('.SearchResults--headerOverview .ant-select').click();
  await page.locator('.ant-select-item-option').filter({ hasText: by }).first().click();
  await page.locator('.ant-select-dropdown').last().waitFor({ state: 'hidden' });
  await page.evaluate('window.scrollTo(0, 0)');
}

/** The result titles as shown ("service: root operation" and the trace id's start), in order. */
export async function resultTitles(page: Page): Promise<string[]> {
  return page.locator('.ResultItemTitle--title').allInnerTexts();
}

/**
 * Opens the first result whose title contains `titlePart`, as an operator does (the link may
 * open a new tab); returns the page showing the trace and the trace id from its address.
 */
export async function openResult(page: Page, titlePart: string): Promise<{ page: Page; traceId: string }> {
  const link = page.locator('a.ResultItemTitle--item').filter({ hasText: titlePart }).first();
  const target = await link.getAttribute('target');
  let tracePage = page;
  if (target === '_blank') {
    const opened = page.context().waitForEvent('page');
    await link.click();
    tracePage = await opened;
  } else {
    await link.click();
  }
  await tracePage.waitForURL(/\/trace\/[0-9a-f]+/);
  await tracePage.locator('.span-row .endpoint-name').first().waitFor({ timeout: 30_000 });
  const traceId = /\/trace\/([0-9a-f]+)/.exec(tracePage.url())![1]!;
  return { page: tracePage, traceId };
}

/** Drags the timeline's column divider so the span names take `share` of the width (0.15–0.85). */
export async function widenNameColumn(page: Page, share: number): Promise<void> {
  const box = await page.locator('.TimelineHeaderRow .VerticalResizer--dragger').boundingBox();
  const width = page.viewportSize()?.width;
  if (!box || !width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(width * share, y, { steps: 5 });
  await page.mouse.up();
}

/** The operation names of the spans the trace timeline shows, top to bottom. */
export async function timelineSpanNames(page: Page): Promise<string[]> {
  return page.locator('.span-row .endpoint-name').allInnerTexts();
}

/** Expands the detail of the first span row named `operation`, with its tags as a table. */
export async function expandSpan(page: Page, operation: string): Promise<void> {
  await page.locator('.span-row .span-name').filter({ hasText: operation }).first().click();
  const detail = page.locator('.detail-row').first();
  await detail.locator('.AccordianKeyValues--header').first().click();
  await detail.locator('.KeyValueTable').first().waitFor();
}

/** Switches the trace page to another view: 'Trace Statistics', 'Trace Spans Table', 'Trace Graph', … */
export async function switchTraceView(page: Page, view: string): Promise<void> {
  await page.locator('.TracePageHeader .ant-dropdown-trigger').first().click();
  await page.getByRole('menuitem').filter({ hasText: view }).click();
  await page.mouse.move(0, 600); // the menu closes once the pointer leaves it
}

/** Trace Statistics: groups the rows by 'Service Name', 'Operation Name' or a tag's key. */
export async function groupStatistics(page: Page, by: string): Promise<void> {
  await page.locator('.TraceStatisticsHeader .NameSelector').first().click();
  await page.locator('.NameSelector--overlay').getByText(by, { exact: true }).click();
  await page.locator('.TraceStatisticsHeader .NameSelector').first().filter({ hasText: by }).waitFor();
  await page.locator('.title--TraceStatistics').click(); // closes the list
  await page.locator('.NameSelector--overlay').waitFor({ state: 'hidden' });
}

/** Writes a screenshot of the viewport (the UI's header stays on top) `<dir>/<name>.png`; returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
