/**
 * Test plugins for engine tests: a scripted source (`scripted`: each poll returns the next
 * step of a script registered under a name), a collecting sink (`collect`: rows kept in
 * memory, truncated on restore, optionally slow or failing), and helpers to compile a YAML
 * pipeline against them plus the built-in operators under test.
 */
import { definePlugin, field, PermanentSinkError, TransientSinkError } from '../../core/api/index.ts';
import type { Batch, ChangeKind, PluginDefinition, PluginKind, Row, SinkInstance, SinkWriteResult, SourceChunk, SourceInstance, CheckpointStore } from '../../core/api/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import type { CompiledPipeline, PluginLookup } from '../../core/runtime/graph/index.ts';

/** One poll's answer: chunks, `[]` (nothing ready), or `null` (end of input). */
export type ScriptStep = SourceChunk[] | null;

export interface Script {
  readonly steps: readonly ScriptStep[];
  /** Declared partitions (`partitions()`). */
  readonly partitions?: readonly (string | number)[];
  /** Called before each poll with the step index (a test moves a clock, throws, …). */
  readonly beforePoll?: (step: number) => void | Promise<void>;
  /** After the steps: `end` (default) or `empty` (nothing ready, forever). */
  readonly after?: 'end' | 'empty';
}

export const scripts = new Map<string, Script>();

export class ScriptedSource implements SourceInstance {
  step = 0;
  opened: unknown = 'not opened';
  committed: unknown[] = [];
  closed = false;
  constructor(private readonly script: Script) {}
  open(position: unknown): Promise<void> {
    this.opened = position;
    this.step = typeof position === 'number' ? position : 0;
    return Promise.resolve();
  }
  async poll(): Promise<SourceChunk[] | null> {
    await this.script.beforePoll?.(this.step);
    if (this.step >= this.script.steps.length) return this.script.after === 'empty' ? [] : null;
    const s = this.script.steps[this.step++]!;
    return s;
  }
  position(): unknown {
    return this.step;
  }
  onCheckpointComplete(position: unknown): Promise<void> {
    this.committed.push(position);
    return Promise.resolve();
  }
  partitions(): readonly (string | number)[] {
    return this.script.partitions ?? [];
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export const scriptedSource = definePlugin({
  kind: 'source',
  name: 'scripted',
  summary: 'Test source: polls return the steps of a registered script.',
  spec: field.object({
    script: field.string({ doc: 'Name of the script in `scripts`.' }),
    outputs: field.array(field.string({ doc: 'An output.' }), { doc: 'Named outputs.', optional: true }),
  }),
  plan: (c) => (c.outputs ? { outputs: c.outputs } : {}),
  create({ config }) {
    const script = scripts.get(config.script);
    if (!script) throw new Error(`no script '${config.script}'`);
    return new ScriptedSource(script);
  },
});

export interface Collected {
  rows: { value: Row; time: number; kind: ChangeKind }[];
  opened: unknown[];
  checkpoints: number;
}

/** Behaviour of a `collect` sink, by its `name`. */
export interface CollectBehaviour {
  /** Awaited before each write (a slow sink). */
  readonly beforeWrite?: (batch: Batch, n: number) => Promise<void> | void;
  /** Awaited in `checkpoint()` (a slow barrier). */
  readonly beforeCheckpoint?: () => Promise<void> | void;
  /** Errors to throw on successive writes: `transient`, `permanent`, `unknown`, or undefined (write). */
  readonly failures?: ('transient' | 'permanent' | 'unknown' | undefined)[];
  /** Indices to reject in each write. */
  readonly reject?: (value: Row) => boolean;
}

export const collected = new Map<string, Collected>();
export const behaviours = new Map<string, CollectBehaviour>();

export function collection(name: string): Collected {
  let c = collected.get(name);
  if (!c) collected.set(name, (c = { rows: [], opened: [], checkpoints: 0 }));
  return c;
}

export class CollectSink implements SinkInstance {
  private writes = 0;
  constructor(
    private readonly c: Collected,
    private readonly b: CollectBehaviour = {},
  ) {}
  open(position: unknown): Promise<void> {
    this.c.opened.push(position);
    if (typeof position === 'number') this.c.rows.length = Math.min(this.c.rows.length, position);
    else this.c.rows.length = 0;
    return Promise.resolve();
  }
  async write(batch: Batch): Promise<SinkWriteResult | void> {
    const n = this.writes++;
    await this.b.beforeWrite?.(batch, n);
    const failure = this.b.failures?.[n];
    if (failure === 'transient') throw new TransientSinkError('try again');
    if (failure === 'permanent') throw new PermanentSinkError('never');
    if (failure === 'unknown') throw new Error('odd');
    const rejected: { index: number; error: unknown }[] = [];
    for (let i = 0; i < batch.length; i++) {
      const value = batch.values[i]!;
      if (this.b.reject?.(value)) rejected.push({ index: i, error: new Error('rejected by target') });
      else this.c.rows.push({ value, time: batch.times[i]!, kind: batch.kinds?.[i] ?? 'insert' });
    }
    return rejected.length ? { rejected } : undefined;
  }
  async checkpoint(): Promise<unknown> {
    await this.b.beforeCheckpoint?.();
    this.c.checkpoints++;
    return this.c.rows.length;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const collectSink = definePlugin({
  kind: 'sink',
  name: 'collect',
  summary: 'Test sink: keeps rows in memory by name.',
  spec: field.object({ name: field.string({ doc: 'Collection name.' }) }),
  create({ config }) {
    return new CollectSink(collection(config.name), behaviours.get(config.name));
  },
});

/** Definitions made by `definePlugin` (typed by their own specs) as the lookup sees them. */
export function lookupOf(defs: readonly object[]): PluginLookup {
  const plugins = defs as readonly PluginDefinition[];
  return {
    get: (kind: PluginKind, name: string) => plugins.find((p) => p.kind === kind && p.name === name),
    names: (kind: PluginKind) => plugins.filter((p) => p.kind === kind).map((p) => p.name),
  };
}

/** Compiles YAML text against the test plugins plus `extra`; throws on any error. */
export function compileYaml(text: string, extra: readonly object[] = []): CompiledPipeline {
  const result = compilePipeline({ file: 'test.yaml', text, env: {}, plugins: lookupOf([scriptedSource, collectSink, ...extra]) });
  const errors = result.issues.filter((i) => i.severity === 'error');
  if (!result.pipeline || errors.length) {
    throw new Error(`pipeline does not compile:\n${result.issues.map((i) => `${i.line}:${i.col} ${i.code} ${i.message}`).join('\n')}`);
  }
  return result.pipeline;
}

export function resetFixtures(): void {
  scripts.clear();
  collected.clear();
  behaviours.clear();
}

/** Rows of records `{value, time}` as one chunk of partition `p`. */
export function chunk(partition: string | number, records: readonly { v: Row; t?: number }[], extra: Partial<SourceChunk> = {}): SourceChunk {
  return {
    partition,
    values: records.map((r) => r.v),
    ...(records.some((r) => r.t !== undefined) ? { times: records.map((r) => r.t ?? 0) } : {}),
    ...extra,
  };
}

/**
 * `store` with some of its reads answered by `override` (another instance's checkpoint not
 * there yet, a store failing at first): the named methods are replaced, the rest delegate.
 */
export function storeWith(store: CheckpointStore, override: Partial<Pick<CheckpointStore, 'latest' | 'list'>>): CheckpointStore {
  return new Proxy(store, {
    get(target, prop) {
      const replaced = override[prop as keyof typeof override];
      if (replaced) return replaced;
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
