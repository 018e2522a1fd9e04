/** Applies a changelog to a table, as a sink applying an upsert stream does. */
import type { Changelog, ChangeKind, Row } from '../api/records.ts';

const KEY_SEPARATOR = '\u001f';

/** The upsert key of a row: its key fields' values, JSON-encoded and joined. */
export function upsertKeyOf(row: Row, key: readonly string[]): string {
  return key.map((f) => JSON.stringify(row[f] ?? null)).join(KEY_SEPARATOR);
}

/**
 * The final table a changelog leaves: `insert`/`update` put the row under its key, `delete`
 * removes it. An append stream keeps every row, keyed by its position.
 */
export function materialize(records: readonly { value: Row; kind: ChangeKind }[], changelog: Changelog): Map<string, Row> {
  const table = new Map<string, Row>();
  records.forEach((r, i) => {
    if (changelog.mode === 'append') {
      table.set(String(i), r.value);
      return;
    }
    const k = upsertKeyOf(r.value, changelog.key);
    if (r.kind === 'delete') table.delete(k);
    else table.set(k, r.value);
  });
  return table;
}
