/**
 * Test helper: the flagship pipeline file with a different generator config, allowed
 * lateness or without the statistics (which do not change the counts), written to a
 * folder so `sluice run` can run it. The operator chain is the shipped one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

export const FLAGSHIP_FILE = join(import.meta.dirname, '..', '..', 'pipelines', 'experiment_analytics.yaml');

export interface VariantOptions {
  /** Replaces the `experiment_traffic` config of the embedded `traffic` source. */
  readonly traffic: Record<string, unknown>;
  /** Allowed lateness everywhere (default the shipped 10m). */
  readonly allowedLatenessMs?: number;
  /** Drop the `stats` operator and everything fed by it. */
  readonly withoutStats?: boolean;
}

/**
 * Every `allowed_lateness` under `operators`, at any depth (a keyed function's `options`
 * too): found in the shipped file rather than listed, so an operator added to the chain
 * cannot keep the shipped allowance while the rest of the variant uses another.
 */
function latenessPaths(node: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (isMap(node)) {
    return node.items.flatMap((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      return key === 'allowed_lateness' ? [[...path, key]] : latenessPaths(pair.value, [...path, key]);
    });
  }
  if (isSeq(node)) return node.items.flatMap((item, i) => latenessPaths(item, [...path, i]));
  return [];
}

/** Writes the variant to `<dir>/experiment_analytics.yaml` and returns its path. */
export function writeVariant(dir: string, options: VariantOptions): string {
  const doc = parseDocument(readFileSync(FLAGSHIP_FILE, 'utf8'));
  doc.setIn(['sources', 'traffic', 'experiment_traffic'], doc.createNode(options.traffic));
  if (options.allowedLatenessMs !== undefined) {
    const text = `${options.allowedLatenessMs}ms`;
    for (const path of latenessPaths(doc.get('operators', true), ['operators'])) doc.setIn(path, text);
    // An activation waiting for its metadata must not outwait the allowance, or it would be late downstream.
    doc.setIn(['operators', 'activations_with_metadata', 'broadcast', 'max_wait'], text);
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
