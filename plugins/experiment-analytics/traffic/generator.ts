/**
 * The traffic generator without the source plumbing: a cursor over the delivery order
 * (schedule.ts) that turns deliveries into records. Used by the `experiment_traffic`
 * source, by tests and by scripts that write archives.
 */
import type { Row } from 'sluice/api';
import { unit } from './hash.ts';
import { EventModel } from './events.ts';
import { metadataRow } from './metadata.ts';
import { Plans, S } from './plan.ts';
import { BLOCK_EVENTS, buildBlock, maxDelay } from './schedule.ts';
import type { Block } from './schedule.ts';
import type { TrafficConfig, TrafficOutput } from './spec.ts';

/** Where the generator stands: the block, the index inside it, and records emitted so far. */
export interface TrafficPosition {
  readonly seed: number;
  readonly block: number;
  readonly index: number;
  readonly emitted: number;
}

/** Records of one `next` call as parallel arrays; `payloads[i]` set for a malformed record. */
export interface Deliveries {
  length: number;
  readonly outputs: TrafficOutput[];
  readonly partitions: number[];
  /** Offset = block · 2^20 + index in block: unique and growing along the stream. */
  readonly offsets: number[];
  readonly times: number[];
  readonly values: (Row | undefined)[];
  readonly payloads: (string | undefined)[];
}

const BLOCK_OFFSET = 1_048_576;
/** How far ahead `far_future_share` dates a record: 100 years of 365.25 days. */
const FAR_FUTURE_MS = 100 * 365.25 * 86_400_000;

export class TrafficGenerator {
  readonly plans: Plans;
  readonly model: EventModel;
  private readonly actions: Readonly<Record<string, string>>;
  private block: Block;
  private index = 0;
  private emitted = 0;
  /** The last block that can hold a delivery (study mode, which ends); Infinity otherwise. */
  private readonly lastBlock: number = Infinity;

  constructor(private readonly c: TrafficConfig) {
    this.plans = new Plans(c);
    this.model = new EventModel(c, this.plans);
    this.actions = Object.fromEntries(Object.keys(c.actions).map((a) => [a, c.directions[a] ?? 'none']));
    this.block = buildBlock(c, this.plans, this.model, 0);
    const study = this.model.study;
    if (study) {
      const lastDelivery = this.model.time(Math.max(0, study.totalEvents - 1)) + maxDelay(c) + 1;
      this.lastBlock = Math.floor((lastDelivery - c.start) / (BLOCK_EVENTS * c.event_interval));
    }
  }

  position(): TrafficPosition {
    return { seed: this.c.seed, block: this.block.index, index: this.index, emitted: this.emitted };
  }

  seek(p: TrafficPosition): void {
    if (p.seed !== this.c.seed) throw new Error(`position was taken with seed ${p.seed}, this generator has seed ${this.c.seed}`);
    if (this.block.index !== p.block) this.block = buildBlock(this.c, this.plans, this.model, p.block);
    this.index = p.index;
    this.emitted = p.emitted;
  }

  /** True once `events` records were emitted, or (study mode) every record was. */
  get done(): boolean {
    return (this.c.events !== undefined && this.emitted >= this.c.events) || this.exhausted;
  }

  private get exhausted(): boolean {
    return this.block.index >= this.lastBlock && this.index >= this.block.length;
  }

  /**
   * Study mode: a watermark for the metadata output that no later metadata record is behind
   * (1 ms before the next wave's publish time, or the last delivery time when none follows),
   * so the sparse metadata does not hold the job's watermark back; undefined otherwise.
   */
  metadataWatermark(): number | undefined {
    const study = this.model.study;
    if (!study) return undefined;
    const { block } = this;
    const delivered = this.index > 0 ? block.at[this.index - 1]! : this.c.start + block.index * BLOCK_EVENTS * this.c.event_interval - 1;
    const lead = this.c.metadata_lead;
    for (const launch of study.launches) {
      const publish = launch - lead;
      if (Math.max(publish, this.c.start) > delivered) return publish - 1;
    }
    return delivered;
  }

  /** Up to `max` records (fewer at the `events` limit). */
  next(max: number): Deliveries {
    const out: Deliveries = { length: 0, outputs: [], partitions: [], offsets: [], times: [], values: [], payloads: [] };
    const limit = this.c.events === undefined ? max : Math.min(max, this.c.events - this.emitted);
    while (out.length < limit) {
      if (this.index >= this.block.length) {
        if (this.exhausted) break;
        this.block = buildBlock(this.c, this.plans, this.model, this.block.index + 1);
        this.index = 0;
        continue;
      }
      const i = this.index++;
      this.deliver(i, out);
    }
    this.emitted += out.length;
    return out;
  }

  private deliver(i: number, out: Deliveries): void {
    const { c, block } = this;
    const e = block.event[i]!;
    let output: TrafficOutput;
    let value: Row | undefined;
    let partition = 0;
    if (e < 0) {
      const v = block.versions[-1 - e]!;
      value = metadataRow(this.plans.plan(v.k), v.j, c, this.actions);
      output = 'metadata';
    } else {
      value = this.model.build(e);
      if (value === undefined) return;
      output = value.action === undefined ? 'activations' : 'actions';
      partition = this.model.lastUserRank % c.partitions;
    }
    const copy = block.copy[i]!;
    let payload: string | undefined;
    let time = e < 0 ? (value.ts as number) : this.model.time(e);
    if (e >= 0 && c.far_future_share > 0 && unit(c.seed, S.farFuture + copy, e) < c.far_future_share) {
      time += FAR_FUTURE_MS;
      value = { ...value, ts: time };
    }
    if (e >= 0 && c.malformed_share > 0 && unit(c.seed, S.malformed + copy, e) < c.malformed_share) {
      payload = malformed(value, unit(c.seed, S.malformedKind + copy, e));
      value = undefined;
    }
    out.outputs.push(output);
    out.partitions.push(partition);
    out.offsets.push(block.index * BLOCK_OFFSET + i);
    out.times.push(time);
    out.values.push(value);
    out.payloads.push(payload);
    out.length++;
  }
}

/** A payload that does not decode as a JSON object: cut JSON, or not JSON at all. */
function malformed(value: Row, u: number): string {
  const json = JSON.stringify(value);
  if (u < 0.6) return json.slice(0, Math.max(1, Math.floor(json.length * u)));
  if (u < 0.8) return `${json.slice(0, -1)},"extra":}`;
  return `event ${String(value.event_id)} lost its framing`;
}
