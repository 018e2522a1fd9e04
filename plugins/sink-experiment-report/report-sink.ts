/** The report sink: applies its part to the shared report and prints it when every part has closed. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Batch, SinkInstance } from '../../core/api/index.ts';
import { ReportData, formatReport } from './report.ts';
import type { ExperimentReportConfig } from './spec.ts';

interface Shared {
  readonly data: ReportData;
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
    if (!shared || shared.closed.size > 0) reports.set(config.report, (shared = { data: new ReportData(), closed: new Set(), printing: undefined }));
    if (config.part === 'counts') shared.printing = config;
    this.shared = shared;
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  write(batch: Batch): Promise<void> {
    this.shared.data.applyBatch(this.config.part, batch);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const { closed, data } = this.shared;
    closed.add(this.config.part);
    if (!this.config.parts.every((p) => closed.has(p))) return;
    if (reports.get(this.config.report) === this.shared) reports.delete(this.config.report);
    const printing = this.shared.printing ?? this.config;
    const text = formatReport(data, printing.max_experiments);
    if (printing.output === 'stdout') process.stdout.write(text);
    else if (printing.output === 'stderr') process.stderr.write(text);
    if (printing.path !== undefined) {
      await mkdir(dirname(printing.path), { recursive: true });
      await writeFile(printing.path, text);
    }
  }
}
