/**
 * The generator source: deterministic records by seed. Record `i` of an output is a pure
 * function of (seed, output, i), so `position()` is just the count per output and a
 * restore resumes exactly, without replaying. Records go round-robin to the output's
 * partitions (record i to partition i mod n).
 */
import type { Clock, OutputPartition, Row, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { Prng } from './prng.ts';
import type { CompiledField } from './fields.ts';

export interface GeneratorOutput {
  /** `''` for the main output. */
  readonly name: string;
  readonly fields: readonly CompiledField[];
  readonly count: number | undefined;
  readonly rate: number | undefined;
  readonly partitions: number;
  readonly weight: number;
}

/** Position: records emitted so far per output (`''` is the main output). */
export type GeneratorPosition = Record<string, number>;

/** Partition ids: `0..n-1` on the main output, `<output>/<p>` on a named one, unique across outputs. */
export function partitionId(output: string, p: number): string | number {
  return output === '' ? p : `${output}/${p}`;
}

interface OutputState {
  readonly spec: GeneratorOutput;
  readonly stream: number;
  emitted: number;
  /** Count at open, the base for the rate limit. */
  emittedAtOpen: number;
}

export class GeneratorSource implements SourceInstance {
  private readonly outputs: OutputState[];
  private readonly prng = new Prng();
  private openedAt = 0;

  constructor(
    outputs: readonly GeneratorOutput[],
    private readonly seed: number,
    private readonly clock: Clock,
  ) {
    this.outputs = outputs.map((spec, stream) => ({ spec, stream, emitted: 0, emittedAtOpen: 0 }));
  }

  async open(position: unknown): Promise<void> {
    const saved = (position ?? {}) as GeneratorPosition;
    if (typeof saved !== 'object') throw new TypeError(`generator: position ${JSON.stringify(position)} is not an object`);
    for (const o of this.outputs) {
      const n = saved[o.spec.name] ?? 0;
      if (!Number.isInteger(n) || n < 0) throw new TypeError(`generator: bad position ${JSON.stringify(n)} for output '${o.spec.name}'`);
      o.emitted = o.emittedAtOpen = n;
    }
    this.openedAt = this.clock.now();
  }

  async poll(maxRecords: number): Promise<SourceChunk[] | null> {
    const active = this.outputs.filter((o) => o.spec.count === undefined || o.emitted < o.spec.count);
    if (active.length === 0) return null;
    const totalWeight = active.reduce((sum, o) => sum + o.spec.weight, 0);
    const now = active.some((o) => o.spec.rate !== undefined) ? this.clock.now() : 0;
    const chunks: SourceChunk[] = [];
    for (const o of active) {
      const share = totalWeight > 0 ? o.spec.weight / totalWeight : 1 / active.length;
      let n = Math.max(1, Math.floor(maxRecords * share));
      if (o.spec.count !== undefined) n = Math.min(n, o.spec.count - o.emitted);
      if (o.spec.rate !== undefined) {
        const allowed = o.emittedAtOpen + Math.floor(((now - this.openedAt) * o.spec.rate) / 1000) - o.emitted;
        n = Math.min(n, Math.max(0, allowed));
      }
      if (n > 0) this.generate(o, n, chunks);
    }
    return chunks;
  }

  /** Generates records [emitted, emitted + n) of one output as one chunk per partition. */
  private generate(o: OutputState, n: number, chunks: SourceChunk[]): void {
    const { fields, partitions, name } = o.spec;
    const prng = this.prng;
    const first = o.emitted;
    const buckets: Row[][] = [];
    for (let p = 0; p < partitions; p++) buckets.push([]);
    const nf = fields.length;
    for (let k = 0; k < n; k++) {
      const i = first + k;
      prng.seedRecord(this.seed, o.stream, i);
      const row: Row = {};
      for (let f = 0; f < nf; f++) {
        const fld = fields[f]!;
        row[fld.name] = fld.gen(prng, i);
      }
      // Round-robin by absolute index, so partitioning does not depend on poll sizes.
      buckets[i % partitions]!.push(row);
    }
    for (let p = 0; p < partitions; p++) {
      const values = buckets[p]!;
      if (values.length === 0) continue;
      const partition = partitionId(name, p);
      chunks.push(name === '' ? { partition, values } : { output: name, partition, values });
    }
    o.emitted = first + n;
  }

  position(): GeneratorPosition {
    const out: GeneratorPosition = {};
    for (const o of this.outputs) out[o.spec.name] = o.emitted;
    return out;
  }

  /** A named output's partitions are its own: each holds only that output's watermark. */
  partitions(): readonly (string | number | OutputPartition)[] {
    return this.outputs.flatMap((o) =>
      Array.from({ length: o.spec.partitions }, (_, p) => (o.spec.name === '' ? p : { output: o.spec.name, partition: partitionId(o.spec.name, p) })),
    );
  }

  async close(): Promise<void> {}
}
