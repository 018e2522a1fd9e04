/**
 * Event time read from a record field: epoch milliseconds (a finite number, or a Date) or
 * an ISO-8601 string (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250+02:00`,
 * `2024-05-01`; without a zone, UTC). Anything else — a missing field, `null`, a numeric string, free text —
 * is not an event time and the record is dead-lettered with reason `bad_event_time`.
 */
import type { Row } from '../../api/index.ts';

/** Date, optional time with optional fraction, optional zone. A date alone is midnight UTC. */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Returns the event time in ms, or NaN when `value` is not one. */
export function toEventTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string') {
    const m = ISO_8601.exec(value);
    if (!m) return Number.NaN;
    // Without a zone, a time is read as UTC (not the machine's zone), so runs repeat anywhere.
    if (m[2] === undefined) return Date.parse(`${m[1]}T00:00:00Z`);
    let zone = m[3] ?? 'Z';
    if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
    else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
    return Date.parse(`${m[1]}T${m[2].replace(',', '.')}${zone.toUpperCase()}`);
  }
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

/** Reads a field (dotted paths allowed) as an event time; NaN when missing or invalid. */
export function eventTimeReader(field: string): (row: Row) => number {
  const path = field.split('.');
  if (path.length === 1) return (row) => toEventTime(row[field]);
  return (row) => {
    let v: unknown = row;
    for (const part of path) {
      if (v === null || typeof v !== 'object') return Number.NaN;
      v = (v as Record<string, unknown>)[part];
    }
    return toEventTime(v);
  };
}
