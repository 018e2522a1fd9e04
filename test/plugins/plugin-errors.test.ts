// A plugin's own error codes (`errors` in its definition, raised as `PluginError`): reported as
// `<plugin>.<CODE>` in dead letters and job failures, documented by `sluice plugins docs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, PluginError, defineKeyedFunction, definePlugin, field } from '../../core/api/index.ts';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { pluginFailure } from '../../core/runtime/engine/errors.ts';
import { renderPluginPage } from '../../core/cli/plugin-docs/render.ts';
import { keyedProcessPlugin } from '../../plugins/operator-keyed-process/index.ts';

const lookup = definePlugin({
  kind: 'operator', name: 'test_geo', summary: 'Looks countries up.', spec: field.object({}),
  errors: { UNKNOWN_COUNTRY: "The record's country code is in no table: fix the code upstream or add it to the table." },
  inputs: { min: 1, max: 1 }, keyed: false,
  plan: (_config, [input]) => ({ output: input! }),
  create: () => ({
    processBatch(batch, _input, ctx) {
      for (let i = 0; i < batch.length; i++) {
        const country = batch.values[i]!.country;
        if (country === 'XX') ctx.fail(i, new PluginError('test_geo', 'UNKNOWN_COUNTRY', `no country '${String(country)}'`));
        else ctx.emit(batch.values[i]!, batch.times[i]!);
      }
    },
  }),
});

const at = (value: Record<string, unknown>, time = 1) => ({ value, time });

void test('a plugin error code is the dead letter\'s reason, qualified by the plugin', () => {
  const h = OperatorTestHarness.for(lookup, {}, { inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }] });
  h.push([at({ country: 'FR' }), at({ country: 'XX' })]);
  assert.equal(h.outputValues().length, 1);
  assert.deepEqual(h.deadLetters().map((d) => [d.reason, d.error]), [['test_geo.UNKNOWN_COUNTRY', "test_geo.UNKNOWN_COUNTRY: no country 'XX'"]]);
});

void test('a job failing on one names the plugin and code; plugins docs lists the codes', () => {
  const failure = pluginFailure({ kind: 'operator', id: 'geo', plugin: 'test_geo' }, 'processBatch', new PluginError('test_geo', 'UNKNOWN_COUNTRY', 'table missing'));
  assert.equal(failure.message, "operator 'geo' (plugin test_geo) failed in processBatch: test_geo.UNKNOWN_COUNTRY: table missing");
  const page = renderPluginPage({ definition: lookup, package: 'built-in', version: '0.1.0', module: 'plugins/x/index.ts', exportName: 'lookup' });
  assert.match(page, /## Error codes[\s\S]*\| `test_geo\.UNKNOWN_COUNTRY` \| The record's country code is in no table/);
});

void test('a keyed function\'s codes are its own, not keyed_process\'s', () => {
  const fn = defineKeyedFunction({
    name: 'test_strict', summary: 'Rejects odd values.', errors: { ODD: 'The value is odd.' },
    processElement(value, ctx) {
      if (Number(value.v) % 2) throw new PluginError('test_strict', 'ODD', `${String(value.v)} is odd`);
      ctx.emit(value);
    },
  });
  const h = OperatorTestHarness.for(keyedProcessPlugin, { function: fn, key: 'k' });
  h.push([at({ k: 'a', v: 2 }), at({ k: 'a', v: 3 })]);
  assert.deepEqual(h.deadLetters().map((d) => d.reason), ['test_strict.ODD']);
});

void test('codes must be UPPER_SNAKE_CASE and documented', () => {
  const def = (errors: Record<string, string>) => () => definePlugin({ kind: 'state_store', name: 'x', summary: 's', spec: field.object({}), errors, create: () => { throw new Error('unused'); } });
  assert.throws(def({ badCode: 'doc' }), /error code 'badCode' is not UPPER_SNAKE_CASE/);
  assert.throws(def({ NO_DOC: ' ' }), /error code 'NO_DOC' has no doc/);
  assert.throws(() => new PluginError('x', 'lower', 'm'), /not UPPER_SNAKE_CASE/);
});
