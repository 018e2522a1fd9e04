/**
 * Loads a run into DuckDB: the archive (one table per stream), the late and dead-letter
 * outputs, and the stream's counts. Archive lines are envelopes
 * `{"provenance": {source, output?, partition?, offset? | line?}, "record": {...}}`; a record's
 * identity (`pkey`) is its provenance, which late and dead-letter rows name too.
 */
import { existsSync } from 'node:fs';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { scanHBaseRows } from './hbase-rows.ts';
import type { Role, RunSummary } from './summary.ts';

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const files = (paths: readonly string[]) => `[${paths.map(lit).join(', ')}]`;

const PROVENANCE = `STRUCT(source VARCHAR, output VARCHAR, "partition" VARCHAR, "offset" VARCHAR, line BIGINT)`;
const RECORD: Record<Role, string> = {
  activations: `STRUCT(event_id VARCHAR, user_id VARCHAR, experiment_id VARCHAR, "group" VARCHAR, ts BIGINT)`,
  actions: `STRUCT(event_id VARCHAR, user_id VARCHAR, action VARCHAR, ts BIGINT)`,
  metadata: `STRUCT(event_id VARCHAR, experiment_id VARCHAR, actions JSON, ramps JSON, effective_from BIGINT, ts BIGINT)`,
};
const FIELDS: Record<Role, string> = {
  activations: `record.event_id, record.user_id, record.experiment_id, record."group" AS grp, record.ts`,
  actions: `record.event_id, record.user_id, record.action, record.ts`,
  metadata: `record.event_id, record.experiment_id, record.actions, record.ramps, record.effective_from, record.ts`,
};
const EMPTY: Record<Role, string> = {
  activations: `NULL::VARCHAR AS event_id, NULL::VARCHAR AS user_id, NULL::VARCHAR AS experiment_id, NULL::VARCHAR AS grp, NULL::BIGINT AS ts`,
  actions: `NULL::VARCHAR AS event_id, NULL::VARCHAR AS user_id, NULL::VARCHAR AS action, NULL::BIGINT AS ts`,
  metadata: `NULL::VARCHAR AS event_id, NULL::VARCHAR AS experiment_id, NULL::JSON AS actions, NULL::JSON AS ramps, NULL::BIGINT AS effective_from, NULL::BIGINT AS ts`,
};

/** The provenance key, the same expression over archive envelopes and output rows. */
const pkeyOf = (p: string) =>
  `concat_ws('/', ${p}.source, coalesce(${p}.output, ''), coalesce(${p}."partition", ''), coalesce(${p}."offset", 'L' || ${p}.line::VARCHAR))`;

function readJson(paths: readonly string[], columns: string): string {
  return `read_json(${files(paths)}, format = 'newline_delimited', columns = {${columns}})`;
}

export async function loadArchive(conn: DuckDBConnection, role: Role, paths: readonly string[]): Promise<void> {
  const table = `arch_${role}`;
  if (paths.length === 0) {
    await conn.run(`CREATE TABLE ${table} AS SELECT NULL::VARCHAR AS pkey, NULL::VARCHAR AS src, NULL::VARCHAR AS out, NULL::VARCHAR AS part, NULL::BIGINT AS pos, ${EMPTY[role]} LIMIT 0`);
    return;
  }
  await conn.run(
    `CREATE TABLE ${table} AS SELECT ${pkeyOf('provenance')} AS pkey, provenance.source AS src, coalesce(provenance.output, '') AS out,
       coalesce(provenance."partition", '') AS part, coalesce(TRY_CAST(provenance."offset" AS BIGINT), provenance.line) AS pos, ${FIELDS[role]}
     FROM ${readJson(paths, `provenance: '${PROVENANCE}', record: '${RECORD[role]}'`)}`,
  );
}

/** Late rows: `{operator, reason, watermark, event_time, record, provenance}`. */
export async function loadLate(conn: DuckDBConnection, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) {
    await conn.run(`CREATE TABLE late_rows AS SELECT NULL::VARCHAR AS operator, NULL::VARCHAR AS reason, NULL::DOUBLE AS watermark, NULL::DOUBLE AS event_time, NULL::BIGINT AS record_ts, NULL::VARCHAR AS pkey, 0 AS line LIMIT 0`);
    return;
  }
  await conn.run(
    `CREATE TABLE late_rows AS SELECT operator, reason, watermark, event_time, TRY_CAST(json_extract(record, '$.ts') AS BIGINT) AS record_ts,
       CASE WHEN json_type(provenance) = 'OBJECT' THEN ${pkeyOf(`json_transform(provenance, '{"source":"VARCHAR","output":"VARCHAR","partition":"VARCHAR","offset":"VARCHAR","line":"BIGINT"}')`)} END AS pkey,
       row_number() OVER () AS line
     FROM ${readJson(paths, `operator: 'VARCHAR', reason: 'VARCHAR', watermark: 'DOUBLE', event_time: 'DOUBLE', record: 'JSON', provenance: 'JSON'`)}`,
  );
}

/** Dead-letter rows: `{operator, reason, error, record, provenance}`. */
export async function loadDeadLetters(conn: DuckDBConnection, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) {
    await conn.run(`CREATE TABLE dead_rows AS SELECT NULL::VARCHAR AS operator, NULL::VARCHAR AS reason, NULL::VARCHAR AS pkey, NULL::VARCHAR AS src, NULL::VARCHAR AS out LIMIT 0`);
    return;
  }
  const prov = `json_transform(provenance, '{"source":"VARCHAR","output":"VARCHAR","partition":"VARCHAR","offset":"VARCHAR","line":"BIGINT"}')`;
  await conn.run(
    `CREATE TABLE dead_rows AS SELECT operator, reason,
       CASE WHEN json_type(provenance) = 'OBJECT' THEN ${pkeyOf(prov)} END AS pkey,
       json_extract_string(provenance, '$.source') AS src, coalesce(json_extract_string(provenance, '$.output'), '') AS out
     FROM ${readJson(paths, `operator: 'VARCHAR', reason: 'VARCHAR', record: 'JSON', provenance: 'JSON'`)}`,
  );
}

const COUNT_COLUMNS = ['volume', 'propensity', 'triggered', 'sum_sq'] as const;

/** One stream row: its key and the count columns as integers (NULL when absent or not an integer). */
function appendCounts(appender: DuckDBAppender, row: Readonly<Record<string, string | null | undefined>>): void {
  appender.appendVarchar(row.row_key!);
  for (const c of COUNT_COLUMNS) {
    const v = row[c];
    if (v === null || v === undefined || !/^-?\d+$/.test(v)) appender.appendNull();
    else appender.appendHugeInt(BigInt(v));
  }
  appender.endRow();
}

/** The stream's counts as `stream_rows(row_key, volume, propensity, triggered, sum_sq)`. */
export async function loadStreamRows(conn: DuckDBConnection, results: RunSummary['results'], resolve: (p: string) => string): Promise<void> {
  const columns = COUNT_COLUMNS.map((c) => `${c} HUGEINT`).join(', ');
  await conn.run(`CREATE TABLE stream_rows (row_key VARCHAR PRIMARY KEY, ${columns})`);
  if ('jsonl' in results) {
    if (results.jsonl.length === 0) return;
    await conn.run(
      `INSERT INTO stream_rows SELECT row_key, ${COUNT_COLUMNS.map((c) => `TRY_CAST(${c} AS HUGEINT)`).join(', ')}
       FROM ${readJson(results.jsonl.map(resolve), `row_key: 'VARCHAR', ${COUNT_COLUMNS.map((c) => `${c}: 'VARCHAR'`).join(', ')}`)}`,
    );
    return;
  }
  if ('hbase' in results) {
    const appender = await conn.createAppender('stream_rows');
    for (const row of await scanHBaseRows(results.hbase)) appendCounts(appender, row);
    appender.closeSync();
    return;
  }
  const path = resolve(results.sqlite);
  if (!existsSync(path)) throw new Error(`results store ${path} does not exist`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const have = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all(results.table) as { name: string }[]).map((r) => r.name));
    if (!have.has('row_key')) throw new Error(`results store ${path} has no table '${results.table}' with a row_key`);
    const select = COUNT_COLUMNS.map((c) => (have.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ');
    const appender = await conn.createAppender('stream_rows');
    for (const row of db.prepare(`SELECT row_key, ${select} FROM "${results.table.replaceAll('"', '""')}"`).iterate() as IterableIterator<Record<string, string | null>>) {
      appendCounts(appender, row);
    }
    appender.closeSync();
  } finally {
    db.close();
  }
}
