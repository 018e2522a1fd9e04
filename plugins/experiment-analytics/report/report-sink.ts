/** The report sink: applies its part to the shared report and prints it when every part has closed. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Batch, SinkInstance } from 'sluice/api';
import { ReportData, formatReport } from './report.ts';
import type { ExperimentReportConfig } from './spec.ts';
import { DashboardHistory } from '../dashboard/history.ts';
import { DashboardWriter } from '../dashboard/writer.ts';

interface Shared {
  readonly data: ReportData;
  /** The experiment dashboard's history, written beside the report when it has a `path`. */
  readonly history: DashboardHistory;
  writer: DashboardWriter | undefined;
  readonly closed: Set<string>;
  /** The `counts` part's config: where and how the report is printed. */
  printing: ExperimentReportConfig | undefined;
}

/** Reports of this process by name: the parts of one report are separate sink instances. */
const reports = new Map<string, Shared>();

export class ReportSink implements SinkInstance {
  private readonly shared: Shared;

  constructor(private readonly config: ExperimentReportConfig) {
    let shared = reports.get(config.report);
    if (!shared || shared.closed.size > 0) reports.set(config.report, (shared = { data: new ReportData(), history: new DashboardHistory(), writer: undefined, closed: new Set(), printing: undefined }));
    if (config.part === 'counts') {
      shared.printing = config;
      if (config.path !== undefined) shared.writer = DashboardWriter.beside(shared.history, config.path);
    }
    this.shared = shared;
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  write(batch: Batch): Promise<void> {
    const { data, history, writer } = this.shared;
    const part = this.config.part;
    data.applyBatch(part, batch);
    const { values, length } = batch;
    const apply = part === 'counts' ? history.counts : part === 'stats' ? history.stats : part === 'alerts' ? history.alert : history.meta;
    for (let i = 0; i < length; i++) apply.call(history, values[i]!);
    writer?.maybeWrite();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const { closed, data } = this.shared;
    closed.add(this.config.part);
    if (!this.config.parts.every((p) => closed.has(p))) return;
    if (reports.get(this.config.report) === this.shared) reports.delete(this.config.report);
    const printing = this.shared.printing ?? this.config;
    await this.shared.writer?.flush();
    const text = formatReport(data, printing.max_experiments);
    if (printing.output === 'stdout') process.stdout.write(text);
    else if (printing.output === 'stderr') process.stderr.write(text);
    if (printing.path !== undefined) {
      await mkdir(dirname(printing.path), { recursive: true });
      await writeFile(printing.path, text);
    }
  }
}
