/**
 * SQL shared by PostgreSQL (postgres.js) and the embedded PGlite. The drivers differ only in how they run
 * a statement and how they quote an identifier; both quote with their own escaping.
 *
 * Gap safety: a key of a table is taken (by its serial/identity default) inside an INSERT, which holds a
 * RowExclusiveLock on the table from before the key is drawn until its transaction ends. So the
 * transactions that can still commit a key are exactly those holding a write lock on the table; they
 * are read from `pg_locks` (readable by any role), identified by virtual transaction id, which is never
 * reused within a server's life.
 */
import type { FieldType } from "../../contract/rest.ts";
import type { Row } from "../../contract/index.ts";
import { EXACT_COUNT_LIMIT, lookupParams, type ColumnInfo, type Dialect, type DiscoveredTable, type PruneQuery, type RangeQuery, type TableListing, type TableRef, type Writers } from "./dialect.ts";
import { jsonSafeRow } from "./json-safe.ts";
import { byTableName, watchableTables } from "./table-listing.ts";
import { integerRange, type KeyRange } from "./key-range.ts";

/** Lock modes an INSERT (or anything stronger that can write) holds on its table. */
const WRITE_LOCKS = "'RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'";

export function pgFieldType(dataType: string): FieldType {
  switch (dataType) {
    case "smallint":
    case "integer":
    case "bigint":
      return "integer";
    case "real":
    case "double precision":
      return "float";
    case "numeric":
    case "money":
      return "decimal";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "json":
    case "jsonb":
      return "json";
    default:
      return dataType.startsWith("timestamp") ? "datetime" : "string";
  }
}

/** The values of PostgreSQL's integer types (it has no unsigned ones). */
export function pgIntegerRange(dataType: string): KeyRange | undefined {
  const bits = { smallint: 16, integer: 32, bigint: 64 }[dataType];
  return bits === undefined ? undefined : integerRange(bits, false, dataType);
}

function splitName(name: string): [string | null, string] {
  const dot = name.indexOf(".");
  return dot < 0 ? [null, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

export abstract class PgFamilyDialect implements Dialect {
  abstract readonly name: "postgres" | "pglite";
  /** Runs one parameterised statement and returns its rows as the driver parsed them. */
  protected abstract run(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Quotes one identifier part with the driver's escaping. */
  protected abstract quoteIdent(part: string): string;
  abstract execute(sql: string): Promise<void>;
  abstract close(): Promise<void>;

  protected quote(name: string): string {
    const [schema, table] = splitName(name);
    return schema === null ? this.quoteIdent(table) : `${this.quoteIdent(schema)}.${this.quoteIdent(table)}`;
  }

  async discoverTables(): Promise<DiscoveredTable[]> {
    return watchableTables(await this.listTables());
  }

  async listTables(): Promise<TableListing[]> {
    const rows = await this.run(
      `SELECT n.nspname AS schema, c.relname AS table, n.nspname = current_schema() AS in_default,
              a.attname AS key, format_type(a.atttypid, NULL) AS type, format_type(a.atttypid, a.atttypmod) AS db_type
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
         LEFT JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ON k.ord <= i.indnkeyatts
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (current_schemas(false))
        ORDER BY n.nspname, c.relname, k.ord`,
    );
    const tables = new Map<string, TableListing>();
    for (const r of rows) {
      const table = r.in_default ? String(r.table) : `${String(r.schema)}.${String(r.table)}`;
      const listing = tables.get(table) ?? { table, primaryKey: [] };
      tables.set(table, listing);
      if (r.key !== null) listing.primaryKey.push({ name: String(r.key), type: pgFieldType(String(r.type)), dbType: String(r.db_type) });
    }
    return [...tables.values()].sort(byTableName);
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    const [schema, name] = splitName(table);
    const rows = await this.run(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
      [schema, name],
    );
    return rows.map((r) => {
      const range = pgIntegerRange(String(r.type));
      return { name: String(r.name), type: pgFieldType(String(r.type)), dbType: String(r.type), ...(range ? { range } : {}) };
    });
  }

  async pollAfter(t: TableRef, after: bigint, limit: number): Promise<Row[]> {
    const key = this.quote(t.key);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`, [after.toString(), limit]);
    return rows.map(jsonSafeRow);
  }

  async head(t: TableRef): Promise<bigint | null> {
    const [r] = await this.run(`SELECT max(${this.quote(t.key)})::text AS max_key FROM ${this.quote(t.table)}`);
    return r!.max_key === null ? null : BigInt(r!.max_key as string);
  }

  async rowsAt(t: TableRef, keys: bigint[]): Promise<Row[]> {
    if (keys.length === 0) return [];
    const key = this.quote(t.key);
    const params = lookupParams(keys);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${key} IN (${params.map((_, i) => `$${i + 1}`).join(", ")}) ORDER BY ${key}`, params);
    return rows.map(jsonSafeRow);
  }

  async writers(t: TableRef): Promise<Writers> {
    const rows = await this.run(
      `SELECT DISTINCT virtualtransaction AS v FROM pg_locks
        WHERE locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND relation = to_regclass($1) AND mode IN (${WRITE_LOCKS})`,
      [this.quote(t.table)],
    );
    return new Set(rows.map((r) => String(r.v)));
  }

  async range(t: TableRef, q: RangeQuery): Promise<Row[]> {
    const key = this.quote(t.key);
    const where = [`${key} <= $1`];
    const params: unknown[] = [q.upTo.toString()];
    const add = (cond: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(cond(`$${params.length}`));
    };
    if (q.after !== undefined) add((p) => `${key} > ${p}`, q.after.toString());
    if (q.before !== undefined) add((p) => `${key} < ${p}`, q.before.toString());
    if (q.match) add((p) => `${this.quote(q.match!.column)} = ${p}`, q.match.value);
    if (q.from || q.to) {
      if (!t.timestamp) throw new Error("time range needs a timestamp column");
      const ts = this.quote(t.timestamp);
      if (q.from) add((p) => `${ts} >= ${p}`, q.from.toISOString());
      if (q.to) add((p) => `${ts} <= ${p}`, q.to.toISOString());
    }
    params.push(q.limit);
    const rows = await this.run(
      `SELECT * FROM ${this.quote(t.table)} WHERE ${where.join(" AND ")} ORDER BY ${key} ${q.newest ? "DESC" : "ASC"} LIMIT $${params.length}`,
      params,
    );
    const out = rows.map(jsonSafeRow);
    return q.newest ? out.reverse() : out;
  }

  async prune(t: TableRef, q: PruneQuery): Promise<number> {
    if (!t.timestamp) throw new Error("pruning needs a timestamp column");
    const key = this.quote(t.key);
    const table = this.quote(t.table);
    const [r] = await this.run(
      `WITH gone AS (DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${key} <= $1 AND ${this.quote(t.timestamp)} < $2 ORDER BY ${key} LIMIT $3) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [q.upTo.toString(), q.olderThan.toISOString(), q.limit],
    );
    return Number(r!.n);
  }

  async countRows(t: TableRef, upTo?: bigint): Promise<{ count: number; estimated: boolean }> {
    const [est] = await this.run(`SELECT reltuples::bigint::text AS n FROM pg_class WHERE oid = to_regclass($1)`, [this.quote(t.table)]);
    const estimate = est ? Number(est.n) : -1;
    if (estimate >= EXACT_COUNT_LIMIT) return { count: estimate, estimated: true };
    const bounded = upTo === undefined ? "" : ` WHERE ${this.quote(t.key)} <= $1`;
    const [r] = await this.run(`SELECT count(*)::text AS n FROM (SELECT 1 FROM ${this.quote(t.table)}${bounded} LIMIT ${EXACT_COUNT_LIMIT + 1}) x`, upTo === undefined ? [] : [upTo.toString()]);
    const count = Number(r!.n);
    return { count, estimated: count > EXACT_COUNT_LIMIT };
  }

  async ping(): Promise<void> {
    await this.run("SELECT 1");
  }
}
