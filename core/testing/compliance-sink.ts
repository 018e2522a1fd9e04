/**
 * `sinkCompliance(plugin, options)`: the contract checks every sink should pass, as
 * `node:test` subtests, from the plugin author's own test file:
 *
 * - its config is validated (unknown keys and the given invalid configs refused);
 * - checkpoint round trip: write, checkpoint, write more, stop without a checkpoint, then
 *   open at the checkpoint's position and write the rest again: with `readBack`, the
 *   target then holds every record once (what came after the checkpoint was replaced);
 * - close is idempotent (twice is fine);
 * - telemetry: spans it starts end by close, instruments are named for Prometheus, the
 *   expected spans and metrics are emitted.
 */
import assert from 'node:assert/strict';
import type { Row } from '../api/index.ts';
import { assertTelemetry, configCheck, configOf, register } from './compliance-common.ts';
import type { CommonComplianceOptions, ComplianceCheck } from './compliance-common.ts';
import type { TestRecord } from './harness.ts';
import { SinkTestHarness, type SinkHarnessOptions, type SinkPlugin } from './sink-harness.ts';

export interface SinkComplianceOptions extends CommonComplianceOptions {
  readonly harness?: SinkHarnessOptions;
  /** Records to write (at least 2); default ten `{ id, n }` rows. */
  readonly records?: readonly TestRecord[];
  /** What the target holds now, for `config` (e.g. the lines of the file); without it the round trip only checks the calls succeed. */
  readonly readBack?: (config: unknown) => Promise<readonly Row[]>;
}

const defaultRecords: readonly TestRecord[] = Array.from({ length: 10 }, (_, i) => ({ value: { id: `r${i}`, n: i }, time: 1000 + i }));

/** The checks, to run directly (the suite's own tests) or through `sinkCompliance`. */
export function sinkChecks(plugin: SinkPlugin, options: SinkComplianceOptions): ComplianceCheck[] {
  const open = (config: unknown, extra: SinkHarnessOptions = {}) => SinkTestHarness.open(plugin, config, { ...options.harness, ...extra });
  const records = options.records ?? defaultRecords;
  return [
    configCheck(plugin, options),
    {
      name: 'restores to a checkpoint position, replacing what came after it',
      run: async () => {
        assert.ok(records.length >= 2, 'at least 2 records to split');
        const config = configOf(options);
        const half = Math.floor(records.length / 2);
        const first = await open(config);
        await first.write(records.slice(0, half));
        const position = await first.checkpoint();
        await first.write(records.slice(half));
        await first.close();
        const resumed = await open(config, { position });
        await resumed.write(records.slice(half));
        await resumed.checkpoint();
        await resumed.close();
        assert.equal(first.deadLettered.length + resumed.deadLettered.length, 0, 'no record is dead-lettered');
        if (options.readBack) assert.deepEqual(await options.readBack(config), records.map((r) => r.value), 'the target holds every record once, in order');
      },
    },
    {
      name: 'closes idempotently',
      run: async () => {
        const h = await open(configOf(options));
        await h.write(records.slice(0, 1));
        await h.close();
        await h.close();
      },
    },
    {
      name: 'ends its spans and names its instruments',
      run: async () => {
        const h = await open(configOf(options));
        await h.write(records);
        await h.checkpoint();
        await h.close();
        await assertTelemetry(h.context, options.expect);
      },
    },
  ];
}

/** Registers the sink checks as `node:test` subtests. */
export function sinkCompliance(plugin: SinkPlugin, options: SinkComplianceOptions): void {
  register(`sink '${plugin.name}' compliance`, sinkChecks(plugin, options));
}
