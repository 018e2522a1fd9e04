import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field, isPluginDefinition } from '../../api/index.ts';
import type { Branded, PluginDefinition, PluginKind } from '../../api/index.ts';
import { builtinModules, loadBuiltinRegistry } from './builtins.ts';
import { brandedExports } from './exports.ts';
import { PluginRegistry } from './registry.ts';

const sink = (name: string): Branded<PluginDefinition> =>
  definePlugin({ kind: 'sink', name, summary: `${name} sink`, spec: field.object({}), create: () => ({ open: async () => {}, write: async () => {}, close: async () => {} }) });

void test('the registry looks plugins up by kind and name and refuses a second one with the same', () => {
  const registry = new PluginRegistry();
  const a = sink('audit');
  const entry = { definition: a, package: 'built-in', version: '0.1.0', module: 'plugins/sink-audit/index.ts', exportName: 'auditSink' };
  assert.equal(registry.tryRegister(entry), undefined);
  assert.equal(registry.tryRegister(entry), undefined, 'the same definition twice is no clash');
  const clash = registry.tryRegister({ ...entry, definition: sink('audit'), package: 'sluice-plugin-audit' });
  assert.equal(clash, entry);
  assert.equal(registry.get('sink', 'audit'), a);
  assert.equal(registry.get('source', 'audit'), undefined);
  assert.deepEqual(registry.names('sink'), ['audit']);
  const copy = registry.clone();
  copy.tryRegister({ ...entry, definition: sink('zeta') });
  assert.deepEqual(registry.names('sink'), ['audit']);
  assert.deepEqual(copy.names('sink'), ['audit', 'zeta']);
});

void test('branded exports are found as named exports and inside exported arrays, once each', () => {
  const a = sink('a');
  const b = sink('b');
  const found = brandedExports({ a, alias: a, plugins: [b, 'x'], helper: () => 1, notBranded: { kind: 'sink', name: 'c' } });
  assert.deepEqual(found.map((f) => [f.definition.name, f.exportName]), [['a', 'a'], ['b', 'plugins[0]']]);
});

void test('every built-in plugins/*/index.ts is scanned and each definition registered', async () => {
  const modules = builtinModules();
  assert.ok(modules.some((m) => m.endsWith('plugins/operator-filter/index.ts')));
  const registry = await loadBuiltinRegistry();
  assert.equal(registry.entry('operator', 'filter')?.module, 'plugins/operator-filter/index.ts');
  const kinds: PluginKind[] = ['source', 'operator', 'sink', 'state_store', 'checkpoint_store', 'keyed_function'];
  for (const p of registry.list()) {
    assert.ok(isPluginDefinition(p.definition));
    assert.ok(kinds.includes(p.definition.kind));
    assert.match(p.definition.name, /^[a-z][a-z0-9_]*$/, `${p.module}: plugin names are snake_case`);
    assert.ok(p.definition.summary.length > 0, `${p.module}: ${p.definition.name} has a summary`);
  }
});
