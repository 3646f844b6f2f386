/**
 * MySQL and MariaDB through mysql2. The name ("mysql" or "mariadb") comes from the server's version.
 *
 * Values: BIGINT and DECIMAL arrive as strings (supportBigNumbers + bigNumberStrings), DATE as
 * 'YYYY-MM-DD', DATETIME and TIMESTAMP as instants in UTC (session time_zone '+00:00', driver timezone
 * 'Z'), TINYINT(1) as a boolean. Identifiers are quoted by mysql2's escapeId; values are bound
 * parameters of prepared statements.
 *
 * Gap safety on InnoDB — which transactions may still commit a key (`writers`) — and its reasoning are in
 * innodb-writers-reader.ts.
 *
 * Deadlines (deadline.ts): each session is opened with the server's statement time limit (MariaDB
 * `max_statement_time`, seconds; MySQL `max_execution_time`, ms, which covers SELECT only), and every
 * statement runs on a connection taken for it, destroyed when it does not answer by the client-side
 * deadline. Sockets have TCP keepalive.
 */
import mysql, { type Pool, type RowDataPacket } from "mysql2/promise";
import type { Row } from "../../contract/index.ts";
import { EXACT_COUNT_LIMIT, lookupParams, type ColumnInfo, type Dialect, type DiscoveredTable, type PruneQuery, type RangeQuery, type TableListing, type TableRef, type Writers } from "./dialect.ts";
import { clientDeadlineMs, DEFAULT_QUERY_TIMEOUT_MS, withDeadline } from "./deadline.ts";
import { DatabaseAccessError } from "./errors.ts";
import { InnodbWritersReader } from "./innodb-writers-reader.ts";
import { jsonSafeRow } from "./json-safe.ts";
import { isUnsigned } from "./key-range.ts";
import { KEEPALIVE_MS, onConnection } from "./mysql-deadline.ts";
import { mysqlFieldType, mysqlIntegerRange } from "./mysql-types.ts";
import { byTableName, watchableTables } from "./table-listing.ts";

function splitName(name: string): [string | null, string] {
  const dot = name.indexOf(".");
  return dot < 0 ? [null, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** A UTC instant as a DATETIME/TIMESTAMP literal value (the session time zone is UTC). */
function sqlTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

type Rows = RowDataPacket[];

export class MysqlDialect implements Dialect {
  private readonly writersReader: InnodbWritersReader;

  private constructor(
    readonly name: "mysql" | "mariadb",
    /** Statements of the dialect and of `execute`. */
    readonly pool: Pool,
    /** One connection for writers readings, so each runs in a transaction of its own. */
    private readonly probe: Pool,
    /** The client-side deadline of a statement (deadline.ts). */
    private readonly deadlineMs: number,
  ) {
    this.writersReader = new InnodbWritersReader(probe, deadlineMs);
  }

  /** Connects, detects MySQL or MariaDB, and checks the privilege gap safety needs. */
  static async open(url: string, options: { max?: number; queryTimeoutMs?: number } = {}): Promise<MysqlDialect> {
    const uri = url.replace(/^mariadb:/i, "mysql:");
    const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    // The server's kind first, on a connection of its own: it decides how each pooled session gets its time limit.
    const first = await mysql.createConnection({ uri, connectTimeout: 5000 });
    let version: string;
    try {
      const [[v]] = await withDeadline(first.query<Rows>("SELECT VERSION() AS v"), clientDeadlineMs(timeoutMs), () => first.destroy());
      version = String(v!.v);
    } finally {
      first.destroy();
    }
    const name = /mariadb/i.test(version) ? "mariadb" : "mysql";
    const limit = name === "mariadb" ? `max_statement_time = ${timeoutMs / 1000}` : `max_execution_time = ${Math.round(timeoutMs)}`;
    const make = (connectionLimit: number) => {
      const pool = mysql.createPool({
        uri,
        connectionLimit,
        connectTimeout: 5000,
        enableKeepAlive: true,
        keepAliveInitialDelay: KEEPALIVE_MS,
        supportBigNumbers: true,
        bigNumberStrings: true,
        decimalNumbers: false,
        dateStrings: ["DATE"],
        timezone: "Z",
        multipleStatements: true,
        typeCast: (field, next) => {
          // BOOLEAN is TINYINT(1): give it the boolean its declared type promises.
          if (field.type === "TINY" && field.length === 1) {
            const v = field.string();
            return v === null ? null : v !== "0";
          }
          return next();
        },
      });
      // Queued on the new connection before any statement of ours, so every statement sees UTC and has
      // the server-side time limit. The event hands over the driver's callback-style connection (typed
      // as the promise one).
      pool.on("connection", (conn) => {
        (conn as unknown as { query(sql: string, done: (err: unknown) => void): void }).query(`SET time_zone = '+00:00', ${limit}`, () => {});
      });
      return pool;
    };
    const pool = make(options.max ?? 4);
    const probe = make(1);
    try {
      const dialect = new MysqlDialect(name, pool, probe, clientDeadlineMs(timeoutMs));
      await dialect.checkPrivileges();
      return dialect;
    } catch (e) {
      await Promise.all([pool.end().catch(() => {}), probe.end().catch(() => {})]);
      throw e;
    }
  }

  /** INNODB_TRX (and a complete PROCESSLIST) need PROCESS; without it the cursor could not be gap-safe. */
  private async checkPrivileges(): Promise<void> {
    try {
      // (LIMIT 0 would not fill the table, and so not check the privilege.)
      await this.run("SELECT COUNT(*) FROM information_schema.INNODB_TRX");
    } catch (e) {
      const err = e as { errno?: number; message?: string };
      // 1227: ER_SPECIFIC_ACCESS_DENIED_ERROR; 1142/1044: table/database access denied.
      if (err.errno !== 1227 && err.errno !== 1142 && err.errno !== 1044) throw e;
      const [u] = await this.run("SELECT CURRENT_USER() AS u");
      const current = String(u!.u);
      const at = current.lastIndexOf("@");
      const account = at < 0 ? `'${current}'` : `'${current.slice(0, at)}'@'${current.slice(at + 1)}'`;
      throw new DatabaseAccessError(
        `the ${this.name === "mariadb" ? "MariaDB" : "MySQL"} user ${account} lacks the PROCESS privilege. nomnom-live reads ` +
          `information_schema.INNODB_TRX and PROCESSLIST to know which transactions may still commit a lower id, so that no row ` +
          `is skipped. Grant it (it is a global privilege) with:\n  GRANT PROCESS ON *.* TO ${account};\n(server said: ${err.message ?? String(e)})`,
      );
    }
  }

  private async run(text: string, params: unknown[] = []): Promise<Rows> {
    const [rows] = await onConnection(this.pool, this.deadlineMs, (conn) => conn.execute<Rows>(text, params as (string | number | null)[]));
    return rows;
  }

  private quote(name: string): string {
    return mysql.escapeId(name); // `schema`.`table` for a qualified name
  }

  private col(name: string): string {
    return mysql.escapeId(name, true);
  }

  /** A bound key value as the key's type: an UNSIGNED key's upper half would wrap around in a SIGNED cast. */
  private keyParam(t: TableRef): string {
    return isUnsigned(t.keyRange) ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)";
  }

  async discoverTables(): Promise<DiscoveredTable[]> {
    return watchableTables(await this.listTables());
  }

  async listTables(): Promise<TableListing[]> {
    const rows = await this.run(
      `SELECT t.TABLE_NAME AS tbl, k.COLUMN_NAME AS col, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type
         FROM information_schema.TABLES t
         LEFT JOIN information_schema.STATISTICS k
           ON k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME AND k.INDEX_NAME = 'PRIMARY'
         LEFT JOIN information_schema.COLUMNS c
           ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME
        WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
        ORDER BY t.TABLE_NAME, k.SEQ_IN_INDEX`,
    );
    const tables = new Map<string, TableListing>();
    for (const r of rows) {
      const table = String(r.tbl);
      const listing = tables.get(table) ?? { table, primaryKey: [] };
      tables.set(table, listing);
      if (r.col !== null) listing.primaryKey.push({ name: String(r.col), type: mysqlFieldType(String(r.data_type), String(r.column_type)), dbType: String(r.column_type) });
    }
    return [...tables.values()].sort(byTableName);
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    const [schema, name] = splitName(table);
    const rows = await this.run(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [schema, name],
    );
    // MariaDB's JSON is LONGTEXT with a json_valid() check; the check tells it apart from text.
    const json = new Set<string>();
    if (this.name === "mariadb" && rows.some((r) => String(r.data_type) === "longtext")) {
      const checks = await this.run(
        `SELECT CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`,
        [schema, name],
      );
      for (const c of checks) {
        const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(c.c));
        if (m) json.add(m[1]!.replace(/``/g, "`"));
      }
    }
    return rows.map((r) => {
      const n = String(r.name);
      const columnType = String(r.column_type);
      const range = mysqlIntegerRange(String(r.data_type), columnType);
      return { name: n, type: json.has(n) ? "json" : mysqlFieldType(String(r.data_type), columnType), dbType: columnType, ...(range ? { range } : {}) };
    });
  }

  async pollAfter(t: TableRef, after: bigint, limit: number): Promise<Row[]> {
    const key = this.col(t.key);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${key} > ${this.keyParam(t)} ORDER BY ${key} LIMIT ?`, [after.toString(), limit]);
    return rows.map(jsonSafeRow);
  }

  async head(t: TableRef): Promise<bigint | null> {
    const [r] = await this.run(`SELECT CAST(MAX(${this.col(t.key)}) AS CHAR) AS max_key FROM ${this.quote(t.table)}`);
    return r!.max_key === null ? null : BigInt(String(r!.max_key));
  }

  async rowsAt(t: TableRef, keys: bigint[]): Promise<Row[]> {
    if (keys.length === 0) return [];
    const key = this.col(t.key);
    const params = lookupParams(keys);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${key} IN (${params.map(() => this.keyParam(t)).join(", ")}) ORDER BY ${key}`, params);
    return rows.map(jsonSafeRow);
  }

  /** Every caller gets a reading that began after its call; callers waiting together share one. */
  writers(_t: TableRef): Promise<Writers> {
    return this.writersReader.read();
  }

  async range(t: TableRef, q: RangeQuery): Promise<Row[]> {
    const key = this.col(t.key);
    const where = [`${key} <= ${this.keyParam(t)}`];
    const params: unknown[] = [q.upTo.toString()];
    if (q.after !== undefined) {
      where.push(`${key} > ${this.keyParam(t)}`);
      params.push(q.after.toString());
    }
    if (q.before !== undefined) {
      where.push(`${key} < ${this.keyParam(t)}`);
      params.push(q.before.toString());
    }
    if (q.match) {
      where.push(`${this.col(q.match.column)} = ?`);
      params.push(q.match.value);
    }
    if (q.from || q.to) {
      if (!t.timestamp) throw new Error("time range needs a timestamp column");
      const ts = this.col(t.timestamp);
      if (q.from) {
        where.push(`${ts} >= ?`);
        params.push(sqlTime(q.from));
      }
      if (q.to) {
        where.push(`${ts} <= ?`);
        params.push(sqlTime(q.to));
      }
    }
    params.push(q.limit);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${where.join(" AND ")} ORDER BY ${key} ${q.newest ? "DESC" : "ASC"} LIMIT ?`, params);
    const out = rows.map(jsonSafeRow);
    return q.newest ? out.reverse() : out;
  }

  async prune(t: TableRef, q: PruneQuery): Promise<number> {
    if (!t.timestamp) throw new Error("pruning needs a timestamp column");
    const key = this.col(t.key);
    const ts = this.col(t.timestamp);
    const [result] = await onConnection(this.pool, this.deadlineMs, (conn) =>
      conn.execute(
        `DELETE FROM ${this.quote(t.table)} WHERE ${key} <= ${this.keyParam(t)} AND ${ts} < ? ORDER BY ${key} LIMIT ?`,
        [q.upTo.toString(), sqlTime(q.olderThan), q.limit],
      ),
    );
    return (result as { affectedRows: number }).affectedRows;
  }

  async countRows(t: TableRef, upTo?: bigint): Promise<{ count: number; estimated: boolean }> {
    const [schema, name] = splitName(t.table);
    const [est] = await this.run(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, [schema, name]);
    const estimate = est && est.n !== null ? Number(est.n) : -1;
    if (estimate >= EXACT_COUNT_LIMIT) return { count: estimate, estimated: true };
    const bounded = upTo === undefined ? "" : ` WHERE ${this.col(t.key)} <= ${this.keyParam(t)}`;
    const [r] = await this.run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${this.quote(t.table)}${bounded} LIMIT ${EXACT_COUNT_LIMIT + 1}) x`, upTo === undefined ? [] : [upTo.toString()]);
    const count = Number(r!.n);
    return { count, estimated: count > EXACT_COUNT_LIMIT };
  }

  async ping(): Promise<void> {
    await onConnection(this.pool, this.deadlineMs, (conn) => conn.query("SELECT 1"));
  }

  async execute(sql: string): Promise<void> {
    await onConnection(this.pool, this.deadlineMs, (conn) => conn.query(sql));
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.probe.end()]);
  }
}
