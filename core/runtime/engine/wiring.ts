/**
 * The queues of a job: one bounded queue per edge of the graph (a stream to one consumer's
 * input), one for the late output and one for the dead-letter output (fed by every stage).
 * A stream with several consumers fans out: the same read-only batch goes to each queue.
 */
import type { CompiledPipeline, StreamRef } from '../graph/types.ts';
import { Flow, Outlet } from './flow.ts';
import type { StreamItem } from './flow.ts';
import { BoundedQueue, Signal } from './queue.ts';

export interface Inbox {
  readonly queues: BoundedQueue<StreamItem>[];
  readonly signal: Signal;
}

export interface Wiring {
  readonly flow: Flow;
  readonly queues: readonly BoundedQueue<StreamItem>[];
  /** Outlet of each stream, by `node` or `node.output`. */
  readonly outlets: ReadonlyMap<string, Outlet>;
  /** Input queues of each operator (in input order) and of each sink (one). */
  readonly inboxes: ReadonlyMap<string, Inbox>;
  readonly late: { readonly inbox: Inbox; readonly outlet: Outlet };
  readonly deadLetter: { readonly inbox: Inbox; readonly outlet: Outlet };
}

export function streamKey(ref: StreamRef): string {
  return ref.output ? `${ref.node}.${ref.output}` : ref.node;
}

export function wireJob(pipeline: CompiledPipeline, capacity: number): Wiring {
  const flow = new Flow();
  const queues: BoundedQueue<StreamItem>[] = [];
  const consumers = new Map<string, BoundedQueue<StreamItem>[]>();
  const inboxes = new Map<string, Inbox>();
  const connect = (ref: StreamRef, name: string, signal: Signal): BoundedQueue<StreamItem> => {
    const q = new BoundedQueue<StreamItem>(name, capacity, signal);
    queues.push(q);
    const key = streamKey(ref);
    let list = consumers.get(key);
    if (!list) consumers.set(key, (list = []));
    list.push(q);
    return q;
  };
  for (const op of pipeline.operators) {
    const signal = new Signal();
    const qs = op.inputs.map((ref, i) => connect(ref, `${streamKey(ref)} -> ${op.id}[${i}]`, signal));
    inboxes.set(op.id, { queues: qs, signal });
  }
  for (const sink of pipeline.sinks) {
    if (!sink.input) continue;
    const signal = new Signal();
    inboxes.set(sink.id, { queues: [connect(sink.input, `${streamKey(sink.input)} -> ${sink.id}`, signal)], signal });
  }
  const outlets = new Map<string, Outlet>();
  const streams: StreamRef[] = [];
  for (const s of pipeline.sources) for (const out of s.outputs) streams.push(out ? { node: s.id, output: out } : { node: s.id });
  for (const op of pipeline.operators) {
    streams.push({ node: op.id });
    for (const name of Object.keys(op.plan.outputs ?? {})) streams.push({ node: op.id, output: name });
  }
  for (const ref of streams) {
    const key = streamKey(ref);
    outlets.set(key, new Outlet(key, consumers.get(key) ?? [], flow));
  }
  const side = (name: string) => {
    const signal = new Signal();
    const q = new BoundedQueue<StreamItem>(name, capacity, signal);
    queues.push(q);
    return { inbox: { queues: [q], signal }, outlet: new Outlet(name, [q], flow) };
  };
  return { flow, queues, outlets, inboxes, late: side('late'), deadLetter: side('dead_letter') };
}
