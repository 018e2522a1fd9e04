/**
 * A sticky, balanced assignment of one topic's partitions to a group's members (as Kafka's
 * sticky assignor): every member keeps the partitions it owned before, up to its fair share
 * (⌊P/M⌋ or ⌈P/M⌉, the larger shares going to the members that owned most), and only the
 * partitions of members that left, plus the excess of members above their share, move. So
 * when a member dies, the survivors keep their own partitions and split only the dead one's;
 * with a plain round robin, the survivors' partitions would move between them too, and their
 * old owners would go on running them until they noticed (docs/scale.md).
 *
 * Pure: the kafkajs assigner (sticky-assigner.ts) gets each member's previous partitions from
 * the metadata the member sends when it joins.
 */
export interface StickyMember {
  readonly id: string;
  /** Partitions this member owned before the rebalance (from its join metadata). */
  readonly previous: readonly number[];
}

/** Member id → its partitions, sorted; every partition of `partitions` to exactly one member. */
export function stickyAssignment(members: readonly StickyMember[], partitions: readonly number[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (members.length === 0) return out;
  const exists = new Set(partitions);
  const taken = new Set<number>();
  // Previous partitions that still exist and that no member listed earlier claims (after a
  // split brain two members may both claim one: the first by id keeps it).
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const kept = new Map<string, number[]>();
  for (const m of sorted) {
    const own = [...new Set(m.previous)].filter((p) => exists.has(p) && !taken.has(p)).sort((a, b) => a - b);
    for (const p of own) taken.add(p);
    kept.set(m.id, own);
  }
  // Shares: the members that keep most get the ⌈P/M⌉ shares, so the fewest partitions move.
  const base = Math.floor(partitions.length / sorted.length);
  let larger = partitions.length % sorted.length;
  const byKept = [...sorted].sort((a, b) => kept.get(b.id)!.length - kept.get(a.id)!.length);
  const share = new Map<string, number>();
  for (const m of byKept) share.set(m.id, base + (larger-- > 0 ? 1 : 0));
  const free: number[] = partitions.filter((p) => !taken.has(p));
  for (const m of sorted) {
    const own = kept.get(m.id)!;
    const cut = own.splice(share.get(m.id)!);
    free.push(...cut);
  }
  free.sort((a, b) => a - b);
  for (const m of sorted) {
    const own = kept.get(m.id)!;
    while (own.length < share.get(m.id)! && free.length) own.push(free.shift()!);
    out.set(m.id, own.sort((a, b) => a - b));
  }
  return out;
}
