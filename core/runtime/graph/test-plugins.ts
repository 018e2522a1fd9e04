/**
 * Test support: a few plugin definitions shaped like the real ones (sources with known
 * fields and named outputs, filter, key_by, window_aggregate, interval_join, route,
 * broadcast, union, sinks) and a lookup over them, so the compiler and lint are tested
 * without the plugin registry. Their `create` is never called.
 */
import { APPEND_ONLY, definePlugin, field } from '../../api/index.ts';
import type { FieldType, PluginDefinition, PluginKind, StreamInfo } from '../../api/index.ts';
import type { PluginLookup } from './types.ts';

const notRunnable = (): never => {
  throw new Error('test plugin: planning only');
};

const fieldTypes = field.map(field.enum(['string', 'int', 'double', 'bool', 'timestamp', 'map', 'list', 'dyn'], { doc: 'Field type.' }), {
  doc: 'Known fields of the records.',
  optional: true,
});

export const fileSource = definePlugin({
  kind: 'source',
  name: 'file',
  summary: 'Reads JSONL.',
  spec: field.object({ path: field.string({ doc: 'File to read.', example: 'data/in.jsonl' }), fields: fieldTypes }),
  plan: (c) => (c.fields ? { fields: { '': c.fields as Record<string, FieldType> } } : {}),
  create: notRunnable,
});

export const kafkaSource = definePlugin({
  kind: 'source',
  name: 'kafka',
  summary: 'Reads a topic.',
  spec: field.object({
    topic: field.string({ doc: 'Topic.' }),
    brokers: field.array(field.string({ doc: 'host:port' }), { doc: 'Bootstrap brokers.', minItems: 1 }),
    port: field.integer({ doc: 'A port, for interpolation tests.', optional: true, min: 1 }),
  }),
  create: notRunnable,
});

export const generatorSource = definePlugin({
  kind: 'source',
  name: 'generator',
  summary: 'Several named outputs.',
  spec: field.object({ outputs: field.map(fieldTypes, { doc: 'Outputs and their fields.' }) }),
  plan: (c) => ({ outputs: Object.keys(c.outputs), fields: c.outputs as Record<string, Record<string, FieldType>> }),
  create: notRunnable,
});

const passThrough = (input: StreamInfo) => ({ output: input });

export const filterOp = definePlugin({
  kind: 'operator',
  name: 'filter',
  summary: 'Keeps records for which a predicate holds.',
  spec: field.object({ where: field.expr({ doc: 'CEL predicate.', returns: 'bool', example: 'amount > 100' }) }),
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (_c, [input]) => passThrough(input!),
  create: notRunnable,
});

export const keyByOp = definePlugin({
  kind: 'operator',
  name: 'key_by',
  summary: 'Keys a stream.',
  spec: field.object({ key: field.array(field.string({ doc: 'A field.' }), { doc: 'Key fields.', minItems: 1 }) }),
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (c, [input]) => ({ output: { ...input!, key: c.key } }),
  create: notRunnable,
});

const keySpec = field.union([field.string({ doc: 'One field.' }), field.array(field.string({ doc: 'A field.' }), { doc: 'Several fields.' })], {
  doc: 'Key fields; absent: the input stream’s key.',
  optional: true,
});
const asKey = (k: string | string[] | undefined) => (k === undefined ? undefined : typeof k === 'string' ? [k] : k);

export const windowOp = definePlugin({
  kind: 'operator',
  name: 'window_aggregate',
  summary: 'Windows and aggregates per key.',
  spec: field.object({
    key: keySpec,
    window: field.union(
      [
        field.object({ tumbling: field.duration({ doc: 'Window size.', min: 1 }) }),
        field.object({ sliding: field.duration({ doc: 'Window size.', min: 1 }), slide: field.duration({ doc: 'Slide.', min: 1 }) }),
        field.object({ session: field.duration({ doc: 'Gap.', min: 1 }) }),
      ],
      { doc: 'The window.' },
    ),
    allowed_lateness: field.duration({ doc: 'How late a record may be.', default: '0', min: 0 }),
    aggregates: field.map(field.union([field.enum(['count'], { doc: 'Counts.' }), field.object({ sum: field.string({ doc: 'Field to sum.' }) })], { doc: 'An aggregate.' }), {
      doc: 'Named aggregates.',
    }),
  }),
  inputs: { min: 1, max: 1 },
  keyed: true,
  consumesUpserts: false,
  plan: (c, [input]) => {
    const key = asKey(c.key) ?? input!.key ?? [];
    return {
      keys: [asKey(c.key)],
      output: {
        key,
        changelog: { mode: 'upsert', key: [...key, 'window_start'] },
        allowedLateness: c.allowed_lateness,
        fields: Object.fromEntries([...key.map((k) => [k, 'dyn']), ['window_start', 'int'], ['window_end', 'int'], ...Object.keys(c.aggregates).map((a) => [a, 'double'])]),
      },
    };
  },
  create: notRunnable,
});

export const joinOp = definePlugin({
  kind: 'operator',
  name: 'interval_join',
  summary: 'Joins two keyed streams within time bounds.',
  spec: field.object({
    key: field.union([field.string({ doc: 'Shared key field.' }), field.object({ left: keySpec, right: keySpec })], { doc: 'Join key.', optional: true }),
    lower: field.duration({ doc: 'Lower bound.' }),
    upper: field.duration({ doc: 'Upper bound.' }),
    allowed_lateness: field.duration({ doc: 'Lateness.', default: '0' }),
    project: field.map(field.expr({ doc: 'Output field.', scope: 'join' }), { doc: 'Projection.', optional: true }),
  }),
  inputs: { min: 2, max: 2 },
  keyed: true,
  plan: (c, inputs) => {
    const k = c.key;
    const keys = typeof k === 'string' ? [[k], [k]] : [asKey(k?.left as string | string[] | undefined), asKey(k?.right as string | string[] | undefined)];
    const fields = c.project ? Object.fromEntries(Object.keys(c.project).map((f) => [f, 'dyn' as const])) : { key: 'dyn' as const, left: 'map' as const, right: 'map' as const };
    return { keys, output: { changelog: APPEND_ONLY, allowedLateness: Math.max(c.allowed_lateness, ...inputs.map((i) => i.allowedLateness)), fields } };
  },
  create: notRunnable,
});

export const unionOp = definePlugin({
  kind: 'operator',
  name: 'union',
  summary: 'Merges streams.',
  spec: field.object({}),
  inputs: { min: 1, max: 8 },
  keyed: false,
  plan: (_c, inputs) => ({ output: inputs[0]! }),
  create: notRunnable,
});

export const routeOp = definePlugin({
  kind: 'operator',
  name: 'route',
  summary: 'Splits a stream into named outputs.',
  spec: field.object({ routes: field.map(field.expr({ doc: 'Condition.', returns: 'bool' }), { doc: 'Output name → condition.' }) }),
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (c, [input]) => ({ output: input!, outputs: Object.fromEntries(Object.keys(c.routes).map((r) => [r, input!])) }),
  create: notRunnable,
});

export const broadcastOp = definePlugin({
  kind: 'operator',
  name: 'broadcast_enrich',
  summary: 'Applies a broadcast side input to every key.',
  spec: field.object({ key: keySpec }),
  inputs: { min: 2, max: 2 },
  keyed: true,
  plan: (c, [main]) => ({ keys: [asKey(c.key), undefined], broadcastInputs: [1], output: main! }),
  create: notRunnable,
});

const sink = (name: string, spec: ReturnType<typeof field.object>) => definePlugin({ kind: 'sink', name, summary: `The ${name} sink.`, spec, create: notRunnable });

export const fileSink = sink('file', field.object({ path: field.string({ doc: 'File to write.' }) }));
export const stdoutSink = sink('stdout', field.object({}));
export const hbaseSink = sink(
  'hbase',
  field.object({ table: field.string({ doc: 'Table.' }), row_key: field.expr({ doc: 'Row key template.', example: 'user_id + "|" + string(window_start)' }) }),
);

export const TEST_PLUGINS: readonly PluginDefinition[] = [
  fileSource,
  kafkaSource,
  generatorSource,
  filterOp,
  keyByOp,
  windowOp,
  joinOp,
  unionOp,
  routeOp,
  broadcastOp,
  fileSink,
  stdoutSink,
  hbaseSink,
];

export function lookupOf(plugins: readonly PluginDefinition[] = TEST_PLUGINS): PluginLookup {
  return {
    get: (kind: PluginKind, name: string) => plugins.find((p) => p.kind === kind && p.name === name),
    names: (kind: PluginKind) => plugins.filter((p) => p.kind === kind).map((p) => p.name),
  };
}
