/**
 * `sourceCompliance(plugin, options)`: the contract checks every source should pass, as
 * `node:test` subtests, from the plugin author's own test file:
 *
 *   sourceCompliance(myPlugin, { config: { path: 'fixtures/in.jsonl' } });
 *
 * - its config is validated (unknown keys and the given invalid configs refused);
 * - checkpoint round trip: reading part, checkpointing, closing, then opening at that
 *   position and reading on gives exactly the records of one uninterrupted read (per
 *   output and partition, in order);
 * - close is idempotent (twice is fine);
 * - telemetry: spans it starts end by close, instruments are named for Prometheus, the
 *   expected spans and metrics are emitted.
 *
 * The source must end (`poll` resolves null) unless `limit` caps the read.
 */
import assert from 'node:assert/strict';
import { assertTelemetry, configCheck, configOf, register } from './compliance-common.ts';
import type { CommonComplianceOptions, ComplianceCheck } from './compliance-common.ts';
import { SourceTestHarness, type SourceHarnessOptions, type SourcePlugin, type SourceRecord } from './source-harness.ts';

export interface SourceComplianceOptions extends CommonComplianceOptions {
  /** Harness options (deps, codec, clock) for every run. */
  readonly harness?: SourceHarnessOptions;
  /** Records of the reference read; absent: to end of input. Needed for a source that does not end. */
  readonly limit?: number;
  /** Records read before the checkpoint; default half of the reference read (at least 1). */
  readonly checkpointAfter?: number;
}

const view = (r: SourceRecord) => ({ value: r.value, partition: r.partition, output: r.output });
type View = ReturnType<typeof view>;

/** Records per output and partition, in order: the order a source promises (not across partitions). */
function byPartition(records: readonly View[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of records) (out[`${r.output ?? ''}/${String(r.partition)}`] ??= []).push(r.value);
  return out;
}

async function readSome(h: SourceTestHarness, limit: number | undefined): Promise<SourceRecord[]> {
  return limit === undefined ? h.readAll() : h.read(limit);
}

/** The checks, to run directly (the suite's own tests) or through `sourceCompliance`. */
export function sourceChecks(plugin: SourcePlugin, options: SourceComplianceOptions): ComplianceCheck[] {
  const open = (config: unknown, extra: SourceHarnessOptions = {}) => SourceTestHarness.open(plugin, config, { ...options.harness, ...extra });
  return [
    configCheck(plugin, options),
    {
      name: 'resumes from a checkpoint position exactly where it was',
      run: async () => {
        const config = configOf(options);
        const whole = await open(config);
        const reference = (await readSome(whole, options.limit)).map(view);
        await whole.close();
        assert.ok(reference.length >= 2, `the reference read gives at least 2 records to split (got ${reference.length})`);
        const first = await open(config);
        const before = (await first.read(options.checkpointAfter ?? Math.max(1, Math.floor(reference.length / 2)))).map(view);
        const position = await first.checkpoint();
        await first.close();
        const resumed = await open(config, { position });
        const after = (await readSome(resumed, options.limit === undefined ? undefined : reference.length - before.length)).map(view);
        await resumed.close();
        assert.deepEqual(byPartition([...before, ...after]), byPartition(reference), 'records before the checkpoint and after the restore are one uninterrupted read, per partition');
      },
    },
    {
      name: 'closes idempotently',
      run: async () => {
        const h = await open(configOf(options));
        await h.poll();
        await h.close();
        await h.close();
      },
    },
    {
      name: 'ends its spans and names its instruments',
      run: async () => {
        const h = await open(configOf(options));
        await readSome(h, options.limit);
        await h.checkpoint();
        await h.close();
        await assertTelemetry(h.context, options.expect);
      },
    },
  ];
}

/** Registers the source checks as `node:test` subtests. */
export function sourceCompliance(plugin: SourcePlugin, options: SourceComplianceOptions): void {
  register(`source '${plugin.name}' compliance`, sourceChecks(plugin, options));
}
