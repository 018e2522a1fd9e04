/**
 * `operatorCompliance(plugin, options)`: the contract checks every operator should pass, as
 * `node:test` subtests, through `OperatorTestHarness`:
 *
 * - its config is validated (unknown keys and the given invalid configs refused);
 * - checkpoint round trip: pushing part, snapshotting, restoring into a fresh harness and
 *   pushing the rest gives the outputs of one uninterrupted run;
 * - close is idempotent (twice is fine).
 */
import assert from 'node:assert/strict';
import { configCheck, configOf, register } from './compliance-common.ts';
import type { CommonComplianceOptions, ComplianceCheck } from './compliance-common.ts';
import { OperatorTestHarness, type HarnessOptions, type OutputRecord, type TestRecord } from './harness.ts';
import type { OperatorPlugin } from './operator-plugin.ts';

export interface OperatorComplianceOptions extends CommonComplianceOptions {
  readonly harness?: HarnessOptions;
  /** Records pushed into input 0, in order (at least 2); the watermark follows each push. */
  readonly records: readonly TestRecord[];
}

const outputs = (h: OperatorTestHarness) => ({ main: h.output().map(view), late: h.late(), deadLetters: h.deadLetters() });
const view = (r: OutputRecord) => ({ value: r.value, time: r.time, kind: r.kind });

/** Pushes `records` one by one, each followed by a watermark at its time. */
function feed(h: OperatorTestHarness, records: readonly TestRecord[]): void {
  for (const r of records) h.push([r]).watermark(r.time);
}

/** The checks, to run directly (the suite's own tests) or through `operatorCompliance`. */
export function operatorChecks(plugin: OperatorPlugin, options: OperatorComplianceOptions): ComplianceCheck[] {
  const harness = (config: unknown) => OperatorTestHarness.for(plugin, config, options.harness);
  return [
    configCheck(plugin, options),
    {
      name: 'restores a snapshot and continues as if uninterrupted',
      run: async () => {
        assert.ok(options.records.length >= 2, 'at least 2 records to split');
        const config = configOf(options);
        const whole = harness(config);
        feed(whole, options.records);
        whole.endOfInput();
        const reference = outputs(whole);
        await whole.close();
        const half = Math.floor(options.records.length / 2);
        const first = harness(config);
        feed(first, options.records.slice(0, half));
        const snapshot = await first.snapshot();
        const before = outputs(first);
        await first.close();
        const resumed = await harness(config).restore(snapshot);
        feed(resumed, options.records.slice(half));
        resumed.endOfInput();
        const after = outputs(resumed);
        await resumed.close();
        assert.deepEqual(
          { main: [...before.main, ...after.main], late: [...before.late, ...after.late], deadLetters: [...before.deadLetters, ...after.deadLetters] },
          reference,
          'outputs before the snapshot and after the restore are those of one uninterrupted run',
        );
      },
    },
    {
      name: 'closes idempotently',
      run: async () => {
        const h = harness(configOf(options));
        feed(h, options.records.slice(0, 1));
        await h.close();
        await h.close();
      },
    },
  ];
}

/** Registers the operator checks as `node:test` subtests. */
export function operatorCompliance(plugin: OperatorPlugin, options: OperatorComplianceOptions): void {
  register(`operator '${plugin.name}' compliance`, operatorChecks(plugin, options));
}
