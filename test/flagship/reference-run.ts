/**
 * Writes a complete run folder from generated traffic through the reference job: the
 * archive (envelopes per stream), late and dead-letter outputs, the counts upserted into
 * the embedded store (SQLite, `experiment_counts`), and summary.json — the layout
 * `sluice validate` reads (docs/flagship.md, "The archive").
 */
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { BatchBuilder, ManualClock } from '../../core/api/index.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { COUNTS_ROW_KEY_TEMPLATE, EPOCH_MS, parseCountsRowKey } from '../../plugins/experiment-analytics/model/index.ts';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import type { TrafficConfig } from '../../plugins/experiment-analytics/traffic/spec.ts';
import { EmbeddedStoreSink } from '../../plugins/sink-embedded-store/sink.ts';
import { embeddedStoreSpec } from '../../plugins/sink-embedded-store/spec.ts';
import type { EmbeddedStoreConfig } from '../../plugins/sink-embedded-store/spec.ts';
import { ReferenceJob } from './reference-job.ts';
import type { ReferenceOutput, ReferenceSettings } from './reference-job.ts';

export const DEFAULT_REFERENCE: ReferenceSettings = { outOfOrderness: 30_000, allowedLateness: 600_000 };

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(line + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

export async function writeStoreRows(path: string, counts: ReferenceOutput['counts']): Promise<void> {
  const config = parseOperatorConfig({ name: 'embedded_store', spec: embeddedStoreSpec } as never, {
    path, table: 'experiment_counts', row_key: COUNTS_ROW_KEY_TEMPLATE,
    columns: { volume: 'volume', propensity: 'propensity', triggered: 'triggered', sum_sq: 'sum_sq', watermark_ms: 'watermark_ms' },
    version_qualifier: 'version',
  }) as EmbeddedStoreConfig;
  const sink = new EmbeddedStoreSink(config, undefined, new ManualClock());
  await sink.open(undefined);
  const b = new BatchBuilder();
  for (const [key, c] of counts) b.push({ ...parseCountsRowKey(key)!, ...c, watermark_ms: null }, 0, 'update');
  const result = await sink.write(b.take());
  if (result?.rejected?.length) throw new Error(`store rejected ${result.rejected.length} rows`);
  await sink.close();
}

export interface ReferenceRun {
  readonly dir: string;
  readonly records: number;
  readonly output: ReferenceOutput;
}

/** Generates `config.events` records, runs the reference job over them and writes the run folder. */
export async function writeReferenceRun(config: TrafficConfig, dir: string, settings: ReferenceSettings = DEFAULT_REFERENCE): Promise<ReferenceRun> {
  mkdirSync(join(dir, 'archive'), { recursive: true });
  const generator = new TrafficGenerator(config);
  const job = new ReferenceJob(settings, config.partitions);
  let records = 0;
  while (!generator.done) {
    const d = generator.next(8192);
    records += d.length;
    job.feed(d);
  }
  const output = job.finish();
  for (const role of ['activations', 'actions', 'metadata'] as const) await writeLines(join(dir, 'archive', `${role}.jsonl`), output.archive[role]);
  await writeLines(join(dir, 'late.jsonl'), output.late.map((r) => JSON.stringify(r)));
  await writeLines(join(dir, 'dead_letter.jsonl'), output.dead.map((r) => JSON.stringify(r)));
  await writeStoreRows(join(dir, 'results.sqlite'), output.counts);
  const summary = {
    format: 'sluice.run-summary/v1', job: 'experiment_analytics_reference', run_id: `seed-${config.seed}`, drained: true,
    archive: { activations: ['archive/activations.jsonl'], actions: ['archive/actions.jsonl'], metadata: ['archive/metadata.jsonl'] },
    late: ['late.jsonl'], dead_letter: ['dead_letter.jsonl'],
    results: { sqlite: 'results.sqlite', table: 'experiment_counts' },
    sources: output.sources,
    settings: {
      epoch_ms: EPOCH_MS, join_lower_ms: 0, join_upper_ms: EPOCH_MS,
      out_of_orderness_ms: settings.outOfOrderness, allowed_lateness_ms: settings.allowedLateness,
      superseding_reasons: ['trigger_superseded'], dedupe: ['activations'], max_late_share: 0.01,
    },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  return { dir, records, output };
}
