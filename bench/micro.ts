/**
 * Micro benchmarks of the I/O path: JSON decode (lines/s), the file sink's writes
 * (records/s and MB/s, one write per batch, fsync at the end as a checkpoint would), and
 * the file source feeding the JSON codec (lines/s). Inputs are built before measuring.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPEND_ONLY, BatchBuilder, systemClock } from '../core/api/index.ts';
import type { Batch, Logger, Row } from '../core/api/index.ts';
import { jsonCodec } from '../core/runtime/codec/index.ts';
import { generatorPlugin } from '../plugins/source-generator/index.ts';
import { fileSinkPlugin } from '../plugins/sink-file/index.ts';
import { fileSourcePlugin } from '../plugins/source-file/index.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const BATCH = 1024;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** `events` rows shaped like the pipelines' events (about 110 bytes as JSON). */
async function sampleRows(events: number): Promise<Row[]> {
  const config = {
    seed: 1, count: events,
    fields: {
      event_id: { id: 'evt-' }, user_id: { int: [1, 100000] }, amount: { float: [0, 500] },
      kind: { one_of: ['click', 'save', 'view', 'search'] }, ts: { sequence: { start: 1_700_000_000_000, step: 1, jitter: 0 } },
    },
  };
  const src = await generatorPlugin.create({ id: 'g', job: 'bench', config: config as never, deps: { clock: systemClock }, logger: silent });
  await src.open(undefined);
  const rows: Row[] = [];
  for (let chunks = await src.poll(65536); chunks; chunks = await src.poll(65536)) for (const c of chunks) rows.push(...(c.values as Row[]));
  return rows;
}

function batches(rows: readonly Row[]): Batch[] {
  const out: Batch[] = [];
  const b = new BatchBuilder();
  rows.forEach((r, i) => {
    b.push(r, i);
    if (b.length === BATCH) out.push(b.take());
  });
  if (b.length) out.push(b.take());
  return out;
}

export async function jsonDecode({ events }: ScenarioOptions): Promise<RunResult> {
  const lines = (await sampleRows(events)).map((r) => JSON.stringify(r));
  const chunks: string[][] = [];
  for (let i = 0; i < lines.length; i += BATCH) chunks.push(lines.slice(i, i + BATCH));
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const m = new Measure();
  m.start();
  let decoded = 0;
  for (const chunk of chunks) decoded += jsonCodec.decode(chunk).rows.length;
  return { ...m.stop(), events: decoded, bytes, driver: 'micro' };
}

export async function fileSinkWrite({ events }: ScenarioOptions): Promise<RunResult> {
  const input = batches(await sampleRows(events));
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    const sink = await fileSinkPlugin.create({
      id: 'out', job: 'bench', config: { path: join(dir, 'out.jsonl'), change_field: 'op', envelope: 'none' }, deps: {}, logger: silent,
      input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: jsonCodec,
    });
    await sink.open(undefined);
    const m = new Measure();
    m.start();
    for (const b of input) await sink.write(b);
    const { bytes } = (await sink.checkpoint!()) as { bytes: number };
    const measured = m.stop();
    await sink.close();
    return { ...measured, events, bytes, driver: 'micro' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function fileSourceRead({ events }: ScenarioOptions): Promise<RunResult> {
  const rows = await sampleRows(events);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    const path = join(dir, 'in.jsonl');
    const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await writeFile(path, text);
    rows.length = 0;
    const src = await fileSourcePlugin.create({ id: 'in', job: 'bench', config: { path, follow: false, read_size: 1 << 20, skip_blank_lines: true }, deps: {}, logger: silent });
    const m = new Measure();
    m.start();
    await src.open(undefined);
    let decoded = 0;
    for (let chunks = await src.poll(BATCH); chunks; chunks = await src.poll(BATCH)) {
      for (const c of chunks) decoded += jsonCodec.decode(c.payloads!).rows.length;
    }
    const measured = m.stop();
    await src.close();
    return { ...measured, events: decoded, bytes: Buffer.byteLength(text), driver: 'micro' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
