/**
 * SQL shared by PostgreSQL (postgres.js) and the embedded PGlite. The drivers differ only in how they run
 * a statement and how they quote an identifier; both quote with their own escaping.
 *
 * Gap safety uses PostgreSQL's transaction-id horizon: every poll reads its rows and
 * `pg_current_snapshot()` in one statement (one snapshot). A key that is missing between visible keys
 * belongs to a transaction that was open at that snapshot or to none; once a later snapshot's `xmin`
 * has passed the first one's `xmax`, every transaction open at the first has ended, so a key still
 * missing then will never appear.
 */
import type { FieldType } from "../../contract/rest.ts";
import type { Row } from "../../contract/server-messages.ts";
import { EXACT_COUNT_LIMIT, type ColumnInfo, type Dialect, type DiscoveredTable, type Horizon, type PollResult, type RangeQuery, type TableRef } from "./dialect.ts";
import { jsonSafeRow, toKey } from "./json-safe.ts";

export interface PgHorizon {
  xmin: bigint;
  xmax: bigint;
}

const XMIN = "__nomnom_xmin";
const XMAX = "__nomnom_xmax";
const SNAPSHOT = `pg_snapshot_xmin(s.snap)::text AS "${XMIN}", pg_snapshot_xmax(s.snap)::text AS "${XMAX}"`;

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
    const rows = await this.run(
      `SELECT n.nspname AS schema, c.relname AS table, a.attname AS key, format_type(a.atttypid, NULL) AS type,
              n.nspname = current_schema() AS in_default
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND i.indnatts = 1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
          AND n.nspname = ANY (current_schemas(false))
          AND c.relname <> 'db_events'
        ORDER BY n.nspname, c.relname`,
    );
    return rows.map((r) => ({
      table: r.in_default ? String(r.table) : `${String(r.schema)}.${String(r.table)}`,
      key: String(r.key),
      keyType: "integer" as const,
    }));
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    const [schema, name] = splitName(table);
    const rows = await this.run(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
      [schema, name],
    );
    return rows.map((r) => ({ name: String(r.name), type: pgFieldType(String(r.type)), dbType: String(r.type) }));
  }

  async pollAfter(t: TableRef, after: bigint, limit: number): Promise<PollResult> {
    const key = this.quote(t.key);
    const rows = await this.run(
      `SELECT ${SNAPSHOT}, t.* FROM (SELECT pg_current_snapshot() AS snap) s
         LEFT JOIN LATERAL (SELECT * FROM ${this.quote(t.table)} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2) t ON true`,
      [after.toString(), limit],
    );
    const first = rows[0]!;
    const horizon: PgHorizon = { xmin: BigInt(first[XMIN] as string), xmax: BigInt(first[XMAX] as string) };
    if (first[t.key] === null || first[t.key] === undefined) return { rows: [], horizon };
    return {
      rows: rows.map((r) => {
        delete r[XMIN];
        delete r[XMAX];
        return jsonSafeRow(r);
      }),
      horizon,
    };
  }

  async head(t: TableRef): Promise<{ maxKey: bigint | null; horizon: Horizon }> {
    const [r] = await this.run(
      `SELECT ${SNAPSHOT}, (SELECT max(${this.quote(t.key)}) FROM ${this.quote(t.table)})::text AS max_key
         FROM (SELECT pg_current_snapshot() AS snap) s`,
    );
    return {
      maxKey: r!.max_key === null ? null : BigInt(r!.max_key as string),
      horizon: { xmin: BigInt(r![XMIN] as string), xmax: BigInt(r![XMAX] as string) } satisfies PgHorizon,
    };
  }

  async keysBetween(t: TableRef, after: bigint, upTo: bigint): Promise<bigint[]> {
    const key = this.quote(t.key);
    const rows = await this.run(`SELECT ${key}::text AS k FROM ${this.quote(t.table)} WHERE ${key} > $1 AND ${key} <= $2 ORDER BY ${key}`, [
      after.toString(),
      upTo.toString(),
    ]);
    return rows.map((r) => toKey(r.k));
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

  horizonPassed(fence: Horizon, now: Horizon): boolean {
    return (now as PgHorizon).xmin >= (fence as PgHorizon).xmax;
  }

  async countRows(table: string): Promise<{ count: number; estimated: boolean }> {
    const [est] = await this.run(`SELECT reltuples::bigint::text AS n FROM pg_class WHERE oid = to_regclass($1)`, [this.quote(table)]);
    const estimate = est ? Number(est.n) : -1;
    if (estimate >= EXACT_COUNT_LIMIT) return { count: estimate, estimated: true };
    const [r] = await this.run(`SELECT count(*)::text AS n FROM (SELECT 1 FROM ${this.quote(table)} LIMIT ${EXACT_COUNT_LIMIT + 1}) x`);
    const count = Number(r!.n);
    return { count, estimated: count > EXACT_COUNT_LIMIT };
  }

  async ping(): Promise<void> {
    await this.run("SELECT 1");
  }
}
