/**
 * Spans along a batch's path (docs/architecture.md §6). A source's poll starts a trace;
 * the batch carries its span context (`StreamItem.trace`, one field per queued item, never
 * per record) and every operator and sink span for it is a child of that context. Where
 * batches meet, the span is a child of one and links to the others (`MAX_LINKS` at most).
 *
 * Sampling is the root's (sampler.ts): when the parent context is not sampled, `child`
 * creates nothing and the caller passes the parent's context on unchanged, so an unsampled
 * batch costs one flag test per stage.
 */
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { Link, Span, SpanContext, Tracer } from '@opentelemetry/api';
import { MAX_LINKS } from './traceparent.ts';

export function isSampled(sc: SpanContext): boolean {
  return (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** Span contexts to link to (entries may be missing: an input that has sent nothing yet). */
export type LinkTargets = readonly (SpanContext | undefined)[];

/** Links to the sampled contexts of `contexts` other than `except`, distinct, at most `MAX_LINKS`. */
function asLinks(contexts: LinkTargets | undefined, except?: SpanContext): Link[] | undefined {
  if (!contexts?.length) return undefined;
  const links: Link[] = [];
  for (const context of contexts) {
    if (!context || !isSampled(context) || context.spanId === except?.spanId) continue;
    if (links.some((l) => l.context.spanId === context.spanId && l.context.traceId === context.traceId)) continue;
    links.push({ context });
    if (links.length === MAX_LINKS) break;
  }
  return links.length ? links : undefined;
}

export class BatchTracer {
  constructor(readonly tracer: Tracer) {}

  /** A new trace (a source's poll, a timer's output): sampled by the root ratio; `links` to other traces. */
  root(name: string, links?: LinkTargets, startTime?: number): Span {
    const l = asLinks(links);
    return this.tracer.startSpan(name, { root: true, ...(l ? { links: l } : {}), ...(startTime !== undefined ? { startTime } : {}) }, ROOT_CONTEXT);
  }

  /**
   * A span under `parent`, linked to the sampled `links` other than the parent; undefined
   * when the parent is not sampled (nothing would be recorded). No parent: a new trace.
   */
  child(name: string, parent: SpanContext | undefined, links?: LinkTargets, startTime?: number): Span | undefined {
    if (!parent) return this.root(name, links, startTime);
    if (!isSampled(parent)) return undefined;
    const l = asLinks(links, parent);
    const options = { ...(l ? { links: l } : {}), ...(startTime !== undefined ? { startTime } : {}) };
    return this.tracer.startSpan(name, options, trace.setSpanContext(ROOT_CONTEXT, parent));
  }
}

/**
 * Distinct span contexts of batches merged into one (mini-batch compaction, the latest per
 * input of a join): at most `MAX_LINKS`, sampled ones kept first so a sampled batch is the
 * parent whenever one took part.
 */
export class MergedTraces {
  private list: SpanContext[] = [];

  add(sc: SpanContext | undefined): void {
    if (!sc) return;
    const list = this.list;
    for (const c of list) if (c.spanId === sc.spanId && c.traceId === sc.traceId) return;
    if (list.length < MAX_LINKS) list.push(sc);
    else if (isSampled(sc)) {
      // Full: a sampled context replaces the last unsampled one.
      for (let i = list.length - 1; i >= 0; i--) {
        if (!isSampled(list[i]!)) {
          list[i] = sc;
          return;
        }
      }
    }
  }

  /** The parent to use (the first sampled context, else the first) and the rest; empties the set. */
  take(): { parent: SpanContext | undefined; others: SpanContext[] } {
    const list = this.list;
    this.list = [];
    const i = list.findIndex(isSampled);
    const at = i < 0 ? 0 : i;
    const parent = list[at];
    list.splice(at, 1);
    return { parent, others: list };
  }

  get size(): number {
    return this.list.length;
  }
}
