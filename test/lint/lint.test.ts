/**
 * `sluice lint` as the CLI runs it: real YAML files, every problem at once, exact
 * line:col, config path, message and code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { formatIssue, lintFiles } from '../../core/runtime/graph/index.ts';
import { lookupOf } from '../../core/runtime/graph/test-plugins.ts';

const plugins = lookupOf();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Lints one fixture; each problem as `line:col  path  message [CODE]` (the file name dropped). */
function lint(name: string, env: Record<string, string> = {}) {
  const file = fixture(name);
  const result = lintFiles([file], env, plugins);
  for (const i of result.issues) assert.equal(i.file, file);
  return { exitCode: result.exitCode, lines: result.issues.map((i) => formatIssue(i).split('\n')[0]!.slice(file.length + 1)), issues: result.issues };
}

void test('a valid pipeline lints clean and exits 0', () => {
  assert.deepEqual(lint('valid.yaml'), { exitCode: 0, lines: [], issues: [] });
});

void test('a YAML syntax error is reported with line and column', () => {
  const r = lint('syntax-error.yaml');
  assert.equal(r.exitCode, 1);
  assert.deepEqual(r.lines, ['5:1  -  YAML: Flow map in block collection must be sufficiently indented and end with a } [E_YAML_SYNTAX]']);
});

void test('an unknown key, an unknown plugin and a missing input: all three, each with its line', () => {
  const r = lint('three-problems.yaml');
  assert.equal(r.exitCode, 1);
  assert.deepEqual(r.lines, [
    '5:5  sources.orders.event_tme  unknown key "event_tme" (did you mean "event_time"?) [E_UNKNOWN_KEY]',
    '9:5  operators.big_orders.filtr  unknown operator plugin "filtr" (did you mean "filter"?) [E_UNKNOWN_PLUGIN]',
    '11:12  operators.per_user.input  unknown input "big_ordrs" (did you mean "big_orders"?) [E_UNKNOWN_INPUT]',
  ]);
  assert.equal(r.issues[1]!.hint, 'known operator plugins: broadcast_enrich, filter, interval_join, key_by, route, union, window_aggregate');
});

void test('an alias bomb fails cleanly', () => {
  const r = lint('alias-bomb.yaml');
  assert.deepEqual(r.lines, ['3:12  -  YAML: aliases expand to too many nodes (more than 100 alias uses): refusing a possible alias bomb [E_YAML_SYNTAX]']);
});

void test('an unset ${VAR} without default is located at its scalar; set, it is used', () => {
  assert.deepEqual(lint('env-unset.yaml').lines, ['5:14  sources.users.kafka.topic  environment variable USERS_TOPIC is not set and has no default [E_ENV_UNSET]']);
  assert.deepEqual(lint('env-unset.yaml', { USERS_TOPIC: 'users' }).lines, []);
  // `port: ${KAFKA_PORT:-x}` is re-read as a plain scalar: a string where an integer is wanted
  assert.deepEqual(lint('env-unset.yaml', { USERS_TOPIC: 'users', KAFKA_PORT: 'x' }).lines, [
    '7:13  sources.users.kafka.port  expected an integer, got the string "x" [E_CONFIG_INVALID]',
  ]);
});

void test('cycles are named', () => {
  assert.deepEqual(lint('cycle.yaml').lines, [
    '10:12  operators.b.input  the operators form a cycle: a → b → c → a [E_CYCLE]',
    '16:12  operators.d.input  the operators form a cycle: d → d [E_CYCLE]',
  ]);
});

void test('keying: a keyed operator fed by an unkeyed stream; join inputs keyed differently; broadcast inputs exempt', () => {
  assert.deepEqual(lint('keying.yaml').lines, [
    '9:12  operators.per_user.input  keyed operator "per_user" (window_aggregate) fed by an unkeyed stream: "orders" has no key [E_KEYING]',
    '20:12  operators.joined.input  inputs of "joined" (interval_join) are keyed differently: "keyed_orders" by [user_id, amount], "keyed_users" by [user_id]; their keys need the same number of fields [E_KEYING]',
  ]);
});

void test('changelog: an append-only stateful operator fed by an upsert stream; a shrinking lateness is a warning', () => {
  const r = lint('changelog.yaml');
  assert.deepEqual(r.lines, [
    '14:12  operators.per_hour.input  operator "per_hour" (window_aggregate) consumes append-only streams, but "per_minute" is an upsert stream (key [user_id, window_start]) [E_CHANGELOG]',
    '17:25  operators.per_hour.window_aggregate.allowed_lateness  warning: allowed lateness 1m is smaller than upstream\'s 10m (via "per_minute"): records upstream still accepts would be late here [E_CONFIG_INVALID]',
  ]);
  assert.equal(r.issues[1]!.severity, 'warning');
});

void test('a lateness warning alone exits 0', () => {
  assert.deepEqual(lint('lateness-warning.yaml'), {
    exitCode: 0,
    lines: [
      '14:5  operators.per_key.window_aggregate.allowed_lateness  warning: allowed lateness 0s is smaller than upstream\'s 10m (via "self_join"): records upstream still accepts would be late here [E_CONFIG_INVALID]',
    ],
    issues: lint('lateness-warning.yaml').issues,
  });
});

void test('CEL: unknown fields, non-bool predicates, parse and type errors, checked against the fields known there', () => {
  assert.deepEqual(lint('bad-cel.yaml').lines, [
    '10:22  operators.typo.filter.where  CEL: unknown field or variable "amout" (did you mean "amount"?) [E_EXPR]',
    '13:22  operators.not_bool.filter.where  CEL: a predicate must return bool, but this returns double [E_EXPR]',
    '16:22  operators.broken.filter.where  CEL: Unexpected token: EOF (column 9) [E_EXPR]',
    '19:22  operators.type_error.filter.where  CEL: no such overload: string > int (column 1) [E_EXPR]',
    '29:33  sinks.keys.hbase.row_key  CEL: no such overload: string + double (column 1) [E_EXPR]',
  ]);
});

void test('ids, named outputs, input counts, codecs, top-level keys', () => {
  assert.deepEqual(lint('misc.yaml').lines, [
    '1:7  name  must match /^[a-z][a-z0-9_]*$/ [E_CONFIG_INVALID]',
    '2:1  colour  unknown key "colour" [E_UNKNOWN_KEY]',
    '9:12  sources.traffic.codec  expected one of json, raw, got the string "avro" [E_CONFIG_INVALID]',
    '10:41  sources.traffic.event_time.max_out_of_orderness  a duration needs a unit: write 5ms, 5s or 5m [E_CONFIG_INVALID]',
    '14:3  operators.orders  id "orders" is already used by the source at line 11; ids are unique across sources, operators and sinks [E_DUPLICATE_ID]',
    '21:12  operators.clicks_only.input  "split" has no output "clickz" (did you mean "clicks"?) [E_UNKNOWN_INPUT]',
    '24:12  operators.two_in.input  operator "filter" takes 1 input, got 2 [E_CONFIG_INVALID]',
    '26:3  operators.Bad-Id  block id "Bad-Id" must be snake_case (a-z, 0-9, _) [E_CONFIG_INVALID]',
    '26:3  operators.Bad-Id  the block names no operator plugin: give exactly one plugin key [E_MISSING_FIELD]',
    '29:12  operators.whole.input  "traffic" has only named outputs: name one (traffic.actions, traffic.activations) [E_UNKNOWN_INPUT]',
    '36:12  sinks.out.input  a sink has one input: write `input: <id>` [E_CONFIG_INVALID]',
    '41:5  sinks.logs.file  a block has exactly one plugin key; "stdout" is already its plugin [E_CONFIG_INVALID]',
    '43:12  sinks.to_sink.input  input "out" is a sink; inputs name sources, operators or named outputs [E_UNKNOWN_INPUT]',
  ]);
});

void test('profiles: lint checks every profile; an unset variable only counts where its profile is used', () => {
  assert.deepEqual(lint('profiles.yaml').lines, ['40:23  profiles.production.sinks.audit.file.path  environment variable AUDIT_DIR is not set and has no default [E_ENV_UNSET]']);
  assert.deepEqual(lint('profiles.yaml', { AUDIT_DIR: '/tmp' }).lines, []);
});

void test('several files: all problems of all files, exit code 1', () => {
  const r = lintFiles([fixture('valid.yaml'), fixture('cycle.yaml'), fixture('keying.yaml')], {}, plugins);
  assert.equal(r.exitCode, 1);
  assert.deepEqual(
    r.issues.map((i) => i.code),
    ['E_CYCLE', 'E_CYCLE', 'E_KEYING', 'E_KEYING'],
  );
});
