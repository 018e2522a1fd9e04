/**
 * Reads a result table back from HBase through its REST server (a scanner: create, read
 * batches until 204, delete), for `sluice validate` on a production run. Plain `fetch`:
 * validation imports nothing from the runtime or the plugins, so it reads what HBase
 * holds, not what the sink believes it wrote.
 */

/** Where a run's counts live in HBase. */
export interface HBaseResults {
  /** REST server, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly table: string;
  readonly family: string;
}

interface ScanCell { readonly column: string; readonly $: string }
interface ScanRow { readonly key: string; readonly Cell?: readonly ScanCell[] }

const fromBase64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Every row of the table as `{row_key, <qualifier>: text}` for the qualifiers of `family`. */
export async function scanHBaseRows(results: HBaseResults, batch = 1000): Promise<Record<string, string>[]> {
  const base = results.url.replace(/\/+$/, '');
  const table = encodeURIComponent(results.table);
  const created = await fetch(`${base}/${table}/scanner`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ batch }),
  });
  if (created.status !== 201) throw new Error(`HBase REST ${base}: creating a scanner on '${results.table}' answered ${created.status} ${await created.text()}`);
  const location = created.headers.get('location');
  if (!location) throw new Error(`HBase REST ${base}: the scanner on '${results.table}' has no Location`);
  const prefix = `${results.family}:`;
  const rows = new Map<string, Record<string, string>>();
  try {
    for (;;) {
      const res = await fetch(location, { headers: { accept: 'application/json' } });
      if (res.status === 204) break;
      if (res.status !== 200) throw new Error(`HBase REST ${base}: reading the scanner answered ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { Row?: readonly ScanRow[] };
      for (const r of body.Row ?? []) {
        const key = fromBase64(r.key);
        // A row wider than `batch` cells comes in several parts.
        const row = rows.get(key) ?? { row_key: key };
        rows.set(key, row);
        for (const cell of r.Cell ?? []) {
          const column = fromBase64(cell.column);
          if (column.startsWith(prefix)) row[column.slice(prefix.length)] = fromBase64(cell.$);
        }
      }
    }
  } finally {
    await fetch(location, { method: 'DELETE' }).catch(() => undefined);
  }
  return [...rows.values()];
}
