import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field } from '../../api/index.ts';
import type { PluginDefinition } from '../../api/index.ts';
import { compilePipeline, readPipelinePackages } from './compile.ts';
import { formatIssue } from './format.ts';
import { lookupOf, TEST_PLUGINS } from './test-plugins.ts';
import type { CompiledPipeline } from './types.ts';

const plugins = lookupOf();
const compile = (text: string, profile?: string, env: Record<string, string> = {}) =>
  compilePipeline({ file: 'p.yaml', text, env, plugins, ...(profile !== undefined ? { profile } : {}) });
const codes = (r: { issues: readonly { line: number; col: number; code: string }[] }) => r.issues.map((i) => `${i.line}:${i.col} ${i.code}`);

const PIPELINE = `name: orders
plugins: [sluice-plugin-geo]
sources:
  orders:
    file: { path: in.jsonl, fields: { user_id: string, amount: double } }
    event_time: { field: ts, max_out_of_orderness: 5s, idle_timeout: 1m }
    codec: raw
operators:
  per_user:
    input: big
    window_aggregate: { key: user_id, window: { tumbling: 1m }, allowed_lateness: 30s, aggregates: { n: count } }
  big:
    input: orders
    filter: { where: "amount > 100" }
sinks:
  out:
    input: per_user
    file: { path: out.jsonl }
dead_letter: { stdout: {} }
`;

void test('compiles: configs parsed, operators in topological order, streams and keys planned', () => {
  const r = compile(PIPELINE);
  assert.deepEqual(r.issues, []);
  const p = r.pipeline!;
  assert.equal(p.name, 'orders');
  assert.equal(p.profile, undefined);
  assert.deepEqual(p.packages, ['sluice-plugin-geo']);
  assert.deepEqual(r.packageRefs, [{ name: 'sluice-plugin-geo', file: 'p.yaml', line: 2, col: 11, configPath: 'plugins[0]' }]);
  const [src] = p.sources;
  assert.equal(src!.plugin.name, 'file');
  assert.deepEqual(src!.config, { path: 'in.jsonl', fields: { user_id: 'string', amount: 'double' } });
  assert.deepEqual(src!.outputs, ['']);
  assert.deepEqual(src!.streams, { '': { changelog: { mode: 'append' }, allowedLateness: 0, fields: { user_id: 'string', amount: 'double' } } });
  assert.deepEqual(src!.eventTime, { field: 'ts', maxOutOfOrderness: 5000, maxFuture: 3_600_000, idleTimeout: 60_000 });
  assert.equal(src!.codec, 'raw');
  assert.deepEqual(src!.location, { file: 'p.yaml', line: 4, col: 3, configPath: 'sources.orders' });
  assert.deepEqual(p.operators.map((o) => o.id), ['big', 'per_user']);
  const [big, perUser] = p.operators;
  assert.deepEqual(big!.inputs, [{ node: 'orders' }]);
  assert.deepEqual(big!.inputKeys, [undefined]);
  assert.deepEqual(perUser!.config, { key: 'user_id', window: { tumbling: 60_000 }, allowed_lateness: 30_000, aggregates: { n: 'count' } });
  assert.deepEqual(perUser!.inputKeys, [['user_id']]);
  assert.deepEqual(perUser!.plan.output.changelog, { mode: 'upsert', key: ['user_id', 'window_start'] });
  const [out] = p.sinks;
  assert.deepEqual(out!.input, { node: 'per_user' });
  assert.deepEqual(out!.changelog, { mode: 'upsert', key: ['user_id', 'window_start'] });
  assert.equal(out!.codec, 'json');
  assert.equal(p.late, undefined);
  assert.equal(p.deadLetter!.plugin.name, 'stdout');
  assert.equal(p.deadLetter!.input, undefined);
  assert.deepEqual(p.deadLetter!.location, { file: 'p.yaml', line: 19, col: 1, configPath: 'dead_letter' });
});

void test('the plugins list is read even when the file is broken', () => {
  const broken = 'name: x\nplugins: [sluice-plugin-a, sluice-plugin-b]\nsources:\n  a: [1, 2\n  b: 3\n';
  const r = compile(broken);
  assert.deepEqual(codes(r), ['5:3 E_YAML_SYNTAX']);
  assert.deepEqual(r.packages, ['sluice-plugin-a', 'sluice-plugin-b']);
  const withProfiles = 'name: x\nplugins: [a]\nprofiles:\n  one: { plugins: [b, a] }\n  two: { plugins: [c] }\nsources: nonsense\n';
  assert.deepEqual(readPipelinePackages('p.yaml', withProfiles).map((p) => `${p.name}@${p.line}:${p.col}`), ['a@2:11', 'b@4:20', 'c@5:20']);
});

/** The operator graph, without locations (they differ where a profile's blocks sit). */
const operatorGraph = (p: CompiledPipeline) => p.operators.map(({ location: _l, ...rest }) => rest);

const PROFILED = `name: profiled
sources:
  orders:
    file: { path: in.jsonl, fields: { user_id: string, amount: double } }
operators:
  big: { input: orders, filter: { where: "amount > 100" } }
  per_user: { input: big, window_aggregate: { key: user_id, window: { tumbling: 1m }, aggregates: { n: count } } }
sinks:
  out: { input: per_user, stdout: {} }
profiles:
  embedded:
    late: { file: { path: late.jsonl } }
  production:
    plugins: [sluice-plugin-hbase]
    sources:
      orders:
        file: { path: /data/orders.jsonl, fields: { user_id: string, amount: double } }
        codec: raw
    sinks:
      out: { input: per_user, hbase: { table: t, row_key: 'user_id + "|" + string(window_start)' } }
      extra: { input: big, stdout: {} }
`;

void test('two profiles compile to the same operator graph; sources and sinks swap', () => {
  const embedded = compile(PROFILED, 'embedded');
  const production = compile(PROFILED, 'production');
  assert.deepEqual(embedded.issues, []);
  assert.deepEqual(production.issues, []);
  assert.deepEqual(operatorGraph(embedded.pipeline!), operatorGraph(production.pipeline!));
  assert.deepEqual(embedded.pipeline!.sinks.map((s) => `${s.id}:${s.plugin.name}`), ['out:stdout']);
  assert.deepEqual(production.pipeline!.sinks.map((s) => `${s.id}:${s.plugin.name}`), ['out:hbase', 'extra:stdout']);
  assert.equal(production.pipeline!.sinks[0]!.location.configPath, 'profiles.production.sinks.out');
  assert.equal(production.pipeline!.sources[0]!.codec, 'raw');
  assert.equal(embedded.pipeline!.late!.plugin.name, 'file');
  assert.equal(production.pipeline!.late, undefined);
  assert.deepEqual(production.packages, ['sluice-plugin-hbase']);
  // no profile asked: the first declared
  assert.equal(compile(PROFILED).pipeline!.profile, 'embedded');
});

void test('profiles: unknown, asked for when none exist, and no operators in a profile', () => {
  assert.deepEqual(
    compile(PROFILED, 'staging').issues.map((i) => [`${i.line}:${i.col}`, i.code, i.message, i.hint]),
    [['10:1', 'E_PROFILE', 'unknown profile "staging"', 'profiles: embedded, production']],
  );
  assert.deepEqual(codes(compile(PIPELINE, 'embedded')), ['1:1 E_PROFILE']);
  const withOps = PROFILED.replace('  embedded:\n', '  embedded:\n    operators: { big: { input: orders, filter: { where: "true" } } }\n');
  assert.deepEqual(
    compile(withOps).issues.map((i) => `${i.line}:${i.col} ${i.configPath} ${i.message}`),
    ['12:5 profiles.embedded.operators unknown key "operators"'],
  );
});

void test('a plugin whose plan throws, and a plugin check, are reported at the block', () => {
  const exploding = definePlugin({
    kind: 'operator',
    name: 'exploding',
    summary: 'Throws while planning.',
    spec: field.object({ limit: field.integer({ doc: 'A limit.', default: 1 }) }),
    inputs: { min: 1, max: 1 },
    keyed: false,
    check: (c) => (c.limit > 10 ? [{ path: ['limit'], message: 'limit must be at most 10', severity: 'error' }] : []),
    plan: () => {
      throw new Error('boom');
    },
    create: () => {
      throw new Error('never');
    },
  });
  const lookup = lookupOf([...TEST_PLUGINS, exploding]);
  const text = 'name: x\nsources:\n  s: { file: { path: x } }\noperators:\n  a: { input: s, exploding: {} }\n  b: { input: s, exploding: { limit: 11 } }\nsinks:\n  o: { input: a, stdout: {} }\n';
  const r = compilePipeline({ file: 'p.yaml', text, env: {}, plugins: lookup });
  assert.deepEqual(
    r.issues.map((i) => `${i.line}:${i.col} ${i.configPath} ${i.message}`),
    ['5:29 operators.a.exploding operator plugin "exploding" failed to plan: boom', '6:38 operators.b.exploding.limit limit must be at most 10'],
  );
});

void test('formatIssue: one line, the hint indented under it', () => {
  const r = compile(PIPELINE.replace('filter:', 'filtr:'));
  assert.equal(
    formatIssue(r.issues[0]!),
    'p.yaml:14:5  operators.big.filtr  unknown operator plugin "filtr" (did you mean "filter"?) [E_UNKNOWN_PLUGIN]\n' +
      '    known operator plugins: broadcast_enrich, filter, interval_join, key_by, route, union, window_aggregate',
  );
});

void test('a file that cannot be read is one E_USAGE issue', () => {
  const r = compilePipeline({ file: '/nonexistent/p.yaml', env: {}, plugins });
  assert.deepEqual(codes(r), ['1:1 E_USAGE']);
});

void test('a pipeline needs a source and a sink', () => {
  assert.deepEqual(
    compile('name: empty\n').issues.map((i) => i.message),
    ['the pipeline has no sinks', 'the pipeline has no sources'],
  );
});

void test('event_time.alignment: parsed with its defaults; without idle_timeout it is an error at the key', () => {
  const text = (et: string) => `name: a
sources:
  s:
    file: { path: in.jsonl }
    event_time: ${et}
sinks:
  out:
    input: s
    file: { path: out.jsonl }
`;
  const ok = compile(text('{ idle_timeout: 1m, alignment: { max_drift: 2m } }'));
  assert.deepEqual(ok.issues, []);
  assert.deepEqual(ok.pipeline!.sources[0]!.eventTime.alignment, { group: 'default', maxDrift: 120_000, updateInterval: 0 });
  const grouped = compile(text('{ idle_timeout: 1m, alignment: { max_drift: 1s, group: g, update_interval: 200ms } }'));
  assert.deepEqual(grouped.pipeline!.sources[0]!.eventTime.alignment, { group: 'g', maxDrift: 1000, updateInterval: 200 });
  const bad = compile(text('{ alignment: { max_drift: 1m } }'));
  assert.deepEqual(bad.issues.map((i) => [i.code, i.configPath, i.message]), [['E_CONFIG_INVALID', 'sources.s.event_time.alignment', 'watermark alignment needs `event_time.idle_timeout`']]);
  assert.deepEqual(codes(compile(text('{ idle_timeout: 1m, alignment: {} }'))).length, 1, 'max_drift is required');
});
