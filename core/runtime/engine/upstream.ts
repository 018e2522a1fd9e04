/**
 * The sources upstream of each operator and sink, and the newest event time they have read:
 * what a watermark lag is measured against (docs/architecture.md §6). A source that is not
 * upstream of a stage does not count: a stage fed by a metadata source alone is not judged by
 * the traffic's event times.
 */
import { MIN_WATERMARK } from '../../api/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';

/** Ids of the sources upstream of every operator and sink, by stage id. */
export function upstreamSources(p: CompiledPipeline): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of p.sources) out.set(s.id, [s.id]);
  const of = (node: string): string[] => out.get(node) ?? [];
  // Operators come in topological order: their inputs are known when they are reached.
  for (const op of p.operators) out.set(op.id, [...new Set(op.inputs.flatMap((ref) => of(ref.node)))]);
  for (const k of p.sinks) if (k.input) out.set(k.id, of(k.input.node));
  return out;
}

/** A reader of the newest event time read by `sources` (−∞ before any). */
export function newestReadOf(sources: readonly { readonly newestRead: number }[]): () => number {
  if (sources.length === 1) {
    const only = sources[0]!;
    return () => only.newestRead;
  }
  return () => {
    let newest = MIN_WATERMARK;
    for (const s of sources) if (s.newestRead > newest) newest = s.newestRead;
    return newest;
  };
}
