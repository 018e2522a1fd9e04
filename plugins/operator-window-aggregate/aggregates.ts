/**
 * Aggregate functions as accumulators (Flink's AggregateFunction: create, add, merge,
 * result). Accumulators live in keyed state, so they are structured-clone safe: numbers,
 * arrays, Sets, a `Uint8Array` of HyperLogLog registers (`hyperlolo`), and a DDSketch
 * (`@datadog/sketches-js`, data-only; its prototypes are re-attached after a restore).
 */
import { DDSketch } from '@datadog/sketches-js';
import { HyperLogLog } from 'hyperlolo';
import { RecordError } from '../../core/api/index.ts';
import type { Row } from '../../core/api/index.ts';

export interface Aggregator {
  readonly name: string;
  /** Dotted path of the input field; undefined for `count`. */
  readonly path: readonly string[] | undefined;
  /** Numeric aggregates reject non-numbers (null and missing are skipped). */
  readonly numeric: boolean;
  create(): unknown;
  /** Adds a (non-null) value; returns the accumulator (new for numbers, the same object otherwise). */
  add(acc: unknown, value: unknown): unknown;
  /** Merges `b` into `a` (session merges); returns the result. */
  merge(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
}

type RawAggregate =
  | 'count'
  | { sum: string } | { min: string } | { max: string } | { avg: string } | { distinct: string }
  | { approx_distinct: string | { field: string; precision: number } }
  | { quantiles: { field: string; q: number[]; relative_accuracy: number } };

const path = (f: string) => f.split('.');
const distinctKey = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v));

/**
 * NaN stands for "no value yet" (inputs are finite numbers), so a window of count, sum, min
 * and max holds only numbers and its packed state stays an unboxed double array.
 */
function minMax(name: string, field: string, pick: (a: number, b: number) => number): Aggregator {
  return {
    name, path: path(field), numeric: true,
    create: () => NaN,
    add: (acc, v) => (Number.isNaN(acc) ? (v as number) : pick(acc as number, v as number)),
    merge: (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : pick(a as number, b as number)),
    result: (acc) => (Number.isNaN(acc) ? null : acc),
  };
}

/** One shared HyperLogLog per aggregate does the hashing; each window keeps only its registers. */
function approxDistinct(name: string, field: string, precision: number): Aggregator {
  const worker = new HyperLogLog({ precision });
  const slot = worker as unknown as { registers: Uint8Array };
  return {
    name, path: path(field), numeric: false,
    create: () => new Uint8Array(2 ** precision),
    add(acc, v) {
      slot.registers = acc as Uint8Array;
      worker.add(String(distinctKey(v)));
      return acc;
    },
    merge(a, b) {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      for (let i = 0; i < x.length; i++) if (y[i]! > x[i]!) x[i] = y[i]!;
      return x;
    },
    result(acc) {
      slot.registers = acc as Uint8Array;
      return Math.round(worker.count());
    },
  };
}

/** Re-attaches the prototypes a v8 round trip (checkpoint restore) strips from a DDSketch. */
function sketchReviver(relativeAccuracy: number): (acc: unknown) => DDSketch {
  const template = new DDSketch({ relativeAccuracy });
  const mappingProto = Object.getPrototypeOf(template.mapping) as object;
  const storeProto = Object.getPrototypeOf(template.store) as object;
  return (acc) => {
    if (acc instanceof DDSketch) return acc;
    const sketch = acc as DDSketch;
    Object.setPrototypeOf(sketch, DDSketch.prototype);
    Object.setPrototypeOf(sketch.mapping, mappingProto);
    Object.setPrototypeOf(sketch.store, storeProto);
    Object.setPrototypeOf(sketch.negativeStore, storeProto);
    return sketch;
  };
}

const quantileName = (q: number) => `p${Number((q * 100).toPrecision(12))}`;

function quantiles(name: string, field: string, qs: readonly number[], relativeAccuracy: number): Aggregator {
  const revive = sketchReviver(relativeAccuracy);
  return {
    name, path: path(field), numeric: true,
    create: () => new DDSketch({ relativeAccuracy }),
    add(acc, v) {
      const sketch = revive(acc);
      sketch.accept(v as number);
      return sketch;
    },
    merge(a, b) {
      const sketch = revive(a);
      sketch.merge(revive(b));
      return sketch;
    },
    result(acc) {
      const sketch = revive(acc);
      const out: Row = {};
      for (const q of qs) out[quantileName(q)] = sketch.count === 0 ? null : sketch.getValueAtQuantile(q);
      return out;
    },
  };
}

export function aggregator(name: string, raw: RawAggregate): Aggregator {
  if (raw === 'count') {
    return { name, path: undefined, numeric: false, create: () => 0, add: (a) => (a as number) + 1, merge: (a, b) => (a as number) + (b as number), result: (a) => a };
  }
  if ('sum' in raw) {
    return { name, path: path(raw.sum), numeric: true, create: () => 0, add: (a, v) => (a as number) + (v as number), merge: (a, b) => (a as number) + (b as number), result: (a) => a };
  }
  if ('min' in raw) return minMax(name, raw.min, Math.min);
  if ('max' in raw) return minMax(name, raw.max, Math.max);
  if ('avg' in raw) {
    return {
      name, path: path(raw.avg), numeric: true,
      create: () => [0, 0],
      add(a, v) {
        const acc = a as [number, number];
        acc[0] += v as number;
        acc[1]++;
        return acc;
      },
      merge(a, b) {
        const x = a as [number, number];
        const y = b as [number, number];
        x[0] += y[0];
        x[1] += y[1];
        return x;
      },
      result: (a) => ((a as [number, number])[1] ? (a as [number, number])[0] / (a as [number, number])[1] : null),
    };
  }
  if ('distinct' in raw) {
    return {
      name, path: path(raw.distinct), numeric: false,
      create: () => new Set(),
      add: (a, v) => (a as Set<unknown>).add(distinctKey(v)),
      merge(a, b) {
        for (const v of b as Set<unknown>) (a as Set<unknown>).add(v);
        return a;
      },
      result: (a) => (a as Set<unknown>).size,
    };
  }
  if ('approx_distinct' in raw) {
    const spec = raw.approx_distinct;
    return typeof spec === 'string' ? approxDistinct(name, spec, 12) : approxDistinct(name, spec.field, spec.precision);
  }
  if ('quantiles' in raw) return quantiles(name, raw.quantiles.field, raw.quantiles.q, raw.quantiles.relative_accuracy);
  throw new Error(`aggregate '${name}': unknown function ${JSON.stringify(raw)}`);
}

function readPath(row: Row, p: readonly string[]): unknown {
  let v: unknown = row;
  for (const part of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Row)[part];
  }
  return v;
}

/**
 * Reads each aggregate's input from `row` into `out` (undefined: skip), checking types
 * before any window is touched, so a bad record changes nothing. Throws `RecordError`
 * (`aggregate_type`) on a non-number for a numeric aggregate.
 */
export function readInputs(aggs: readonly Aggregator[], row: Row, out: unknown[]): void {
  for (let i = 0; i < aggs.length; i++) {
    const agg = aggs[i]!;
    if (!agg.path) {
      out[i] = true;
      continue;
    }
    const v = readPath(row, agg.path);
    if (v === undefined || v === null) {
      out[i] = undefined;
      continue;
    }
    if (agg.numeric && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new RecordError('aggregate_type', `aggregate '${agg.name}' needs a number in '${agg.path.join('.')}', got ${JSON.stringify(v)}`);
    }
    out[i] = v;
  }
}
