/**
 * Test helper: the flagship pipeline file with a different generator config, allowed
 * lateness or without the statistics (which do not change the counts), written to a
 * folder so `sluice run` can run it. The operator chain is the shipped one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

export const FLAGSHIP_FILE = join(import.meta.dirname, '..', '..', 'pipelines', 'experiment_analytics.yaml');

export interface VariantOptions {
  /** Replaces the `experiment_traffic` config of the embedded `traffic` source. */
  readonly traffic: Record<string, unknown>;
  /** Allowed lateness everywhere (default the shipped 10m). */
  readonly allowedLatenessMs?: number;
  /** Drop the `stats` operator and everything fed by it. */
  readonly withoutStats?: boolean;
}

const LATENESS_PATHS = [
  ['operators', 'activations_unique', 'dedupe', 'allowed_lateness'],
  ['operators', 'first_triggers', 'keyed_process', 'allowed_lateness'],
  ['operators', 'first_triggers', 'keyed_process', 'options', 'allowed_lateness'],
  ['operators', 'joined', 'interval_join', 'allowed_lateness'],
  ['operators', 'counts', 'keyed_process', 'allowed_lateness'],
  ['operators', 'counts', 'keyed_process', 'options', 'allowed_lateness'],
];

/** Writes the variant to `<dir>/experiment_analytics.yaml` and returns its path. */
export function writeVariant(dir: string, options: VariantOptions): string {
  const doc = parseDocument(readFileSync(FLAGSHIP_FILE, 'utf8'));
  doc.setIn(['sources', 'traffic', 'experiment_traffic'], doc.createNode(options.traffic));
  if (options.allowedLatenessMs !== undefined) {
    const text = `${options.allowedLatenessMs}ms`;
    for (const path of LATENESS_PATHS) doc.setIn(path, text);
    // An activation waiting for its metadata must not outwait the allowance, or it would be late downstream.
    doc.setIn(['operators', 'activations_with_metadata', 'broadcast', 'max_wait'], text);
    doc.setIn(['operators', 'stats', 'experiment_stats', 'allowed_lateness'], text);
    doc.setIn(['sinks', 'report_counts', 'experiment_report', 'run_summary', 'settings', 'allowed_lateness_ms'], options.allowedLatenessMs);
  }
  if (options.withoutStats) {
    doc.deleteIn(['operators', 'stats']);
    for (const id of ['stats_store', 'alerts_file', 'report_stats', 'report_alerts']) doc.deleteIn(['sinks', id]);
    doc.setIn(['sinks', 'report_counts', 'experiment_report', 'parts'], doc.createNode(['counts']));
  }
  doc.setIn(['sinks', 'report_counts', 'experiment_report', 'output'], 'none');
  const path = join(dir, 'experiment_analytics.yaml');
  writeFileSync(path, doc.toString());
  return path;
}
