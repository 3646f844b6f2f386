/**
 * MySQL and MariaDB through mysql2. The name ("mysql" or "mariadb") comes from the server's version.
 *
 * Values: BIGINT and DECIMAL arrive as strings (supportBigNumbers + bigNumberStrings), DATE as
 * 'YYYY-MM-DD', DATETIME and TIMESTAMP as instants in UTC (session time_zone '+00:00', driver timezone
 * 'Z'), TINYINT(1) as a boolean. Identifiers are quoted by mysql2's escapeId; values are bound
 * parameters of prepared statements.
 *
 * Gap safety on InnoDB — which transactions may still commit a key (`writers`):
 *
 * 1. Auto-increment values commit out of order on InnoDB as anywhere else: a statement takes its
 *    value(s) when it writes its first row, the transaction commits whenever it likes. With
 *    innodb_autoinc_lock_mode 0 ("traditional") the table's AUTO-INC lock is held to the end of each
 *    *statement*, not transaction, so commit order is still free; with 1 ("consecutive", MariaDB's
 *    default) a simple INSERT takes all its values at once under a short mutex and bulk inserts
 *    (INSERT … SELECT, LOAD DATA) keep the AUTO-INC lock for the statement; with 2 ("interleaved",
 *    MySQL 8's default) concurrent statements interleave values and a bulk insert keeps taking values
 *    while it runs. In every mode a taken value belongs to a statement that is still executing or to a
 *    transaction that has written its row, and values never taken again (rollback, failed insert,
 *    INSERT IGNORE, mixed-mode over-allocation) leave permanent gaps. The cursor copes with all of these
 *    as long as every holder of a taken value is among the writers, whatever order values arrive in.
 *
 * 2. InnoDB has no per-table lock view readable in both MySQL and MariaDB (performance_schema.data_locks
 *    is MySQL-only and often disabled on MariaDB), so the writers are not narrowed to the table: they
 *    are every running InnoDB transaction (information_schema.INNODB_TRX, which needs the PROCESS
 *    privilege — checked at start), minus the reading connection itself, minus transactions that cannot
 *    write (READ ONLY, autocommit non-locking SELECTs) and minus transactions that have modified nothing
 *    while no statement of theirs runs (a value is taken and its row written inside one statement). A
 *    long-running writer elsewhere in the server — or a long statement outside InnoDB, see 3 — therefore
 *    delays passing a gap (never a filled key), up to gap_timeout_ms.
 *
 * 3. The window: InnoDB starts a transaction lazily. In ha_innobase::write_row the auto-increment value
 *    is taken (update_auto_increment) *before* row_insert_for_mysql starts the transaction, and between
 *    the two the thread may even queue for innodb_thread_concurrency. A transaction holding a value can
 *    thus be missing from INNODB_TRX. Its thread is, however, executing a statement, which
 *    information_schema.PROCESSLIST shows live. So a reading takes PROCESSLIST *first* and INNODB_TRX
 *    *second*: a value taken before the reading began belongs to a thread that, at the first read, was
 *    either still in its statement (then seen as busy) or had finished it, so its transaction had
 *    started and is in the second read or has ended. A busy thread without a transaction gets a token
 *    that stays attached to the transaction it then runs until that one ends (innodb-writers.ts), so a
 *    later reading still recognises it. The same aliasing covers a transaction that started read-only
 *    (no real id yet) and is given a real id by the insert.
 *
 * 4. INNODB_TRX is a cache: the server refills it only when nobody has read it for 0.1 s
 *    (trx0i_s.cc, CACHE_MIN_IDLE_TIME), and every read restarts that clock. A stale reading could miss a
 *    transaction that began after the refill. Each reading therefore runs inside a transaction of its
 *    own started before the PROCESSLIST read, on a dedicated connection; after that read it runs a
 *    marker statement carrying a unique literal, then reads INNODB_TRX with the same literal. The
 *    reading is accepted only if the cache shows that connection's transaction running a statement with
 *    the literal (trx_query): the cache was then filled after the marker began — by this session or by
 *    any other reader — hence after the PROCESSLIST read. Otherwise it pauses past the idle time, with
 *    jitter (sessions reading in step would keep each other stale), and tries again. Readings are
 *    serialised; callers waiting at the same moment share the next reading.
 *
 * What this does not cover: keys handed out ahead of the insert by the application, replication
 * applier threads' pre-transaction window (they apply keys chosen on the primary, in its commit order),
 * and engines without transactions (MyISAM writes are visible when the statement ends).
 */
import mysql, { type FieldPacket, type Pool, type PoolConnection, type RowDataPacket } from "mysql2/promise";
import type { FieldType } from "../../contract/rest.ts";
import type { Row } from "../../contract/index.ts";
import { EXACT_COUNT_LIMIT, type ColumnInfo, type Dialect, type DiscoveredTable, type PruneQuery, type RangeQuery, type TableRef, type Writers } from "./dialect.ts";
import { DatabaseAccessError } from "./errors.ts";
import { InnodbWriterTracker, type ThreadSample, type TrxSample } from "./innodb-writers.ts";
import { jsonSafeRow } from "./json-safe.ts";

/** PROCESSLIST commands of threads that are not running a client statement. */
const IDLE_COMMANDS = new Set(["Sleep", "Daemon", "Binlog Dump", "Binlog Dump GTID"]);
/** The cache behind INNODB_TRX is refilled only after this long unread (plus a margin). */
const TRX_CACHE_IDLE_MS = 105;
/** A reading that cannot get a fresh cache for this long fails (the poller retries and reports it). */
const FRESH_READING_TIMEOUT_MS = 10_000;

export function mysqlFieldType(dataType: string, columnType: string): FieldType {
  switch (dataType.toLowerCase()) {
    case "tinyint":
      return /^tinyint\(1\)/i.test(columnType) ? "boolean" : "integer";
    case "smallint":
    case "mediumint":
    case "int":
    case "integer":
    case "bigint":
    case "year":
      return "integer";
    case "float":
    case "double":
    case "real":
      return "float";
    case "decimal":
    case "numeric":
      return "decimal";
    case "date":
      return "date";
    case "datetime":
    case "timestamp":
      return "datetime";
    case "json":
      return "json";
    default:
      return "string";
  }
}

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
  private readonly tracker = new InnodbWriterTracker();
  private current: Promise<Writers> | null = null;
  private queued: Promise<Writers> | null = null;
  private lastTrxRead = 0;
  private readingSeq = 0;

  private constructor(
    readonly name: "mysql" | "mariadb",
    /** Statements of the dialect and of `execute`. */
    readonly pool: Pool,
    /** One connection for writers readings, so each runs in a transaction of its own. */
    private readonly probe: Pool,
  ) {}

  /** Connects, detects MySQL or MariaDB, and checks the privilege gap safety needs. */
  static async open(url: string, options: { max?: number } = {}): Promise<MysqlDialect> {
    const make = (connectionLimit: number) => {
      const pool = mysql.createPool({
        uri: url.replace(/^mariadb:/i, "mysql:"),
        connectionLimit,
        connectTimeout: 5000,
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
      // Queued on the new connection before any statement of ours, so every statement sees UTC. The
      // event hands over the driver's callback-style connection (typed as the promise one).
      pool.on("connection", (conn) => {
        (conn as unknown as { query(sql: string, done: (err: unknown) => void): void }).query("SET time_zone = '+00:00'", () => {});
      });
      return pool;
    };
    const pool = make(options.max ?? 4);
    const probe = make(1);
    try {
      const [[v]] = (await pool.query("SELECT VERSION() AS v")) as [Rows, FieldPacket[]];
      const name = /mariadb/i.test(String(v!.v)) ? "mariadb" : "mysql";
      const dialect = new MysqlDialect(name, pool, probe);
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
      await this.pool.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX");
    } catch (e) {
      const err = e as { errno?: number; message?: string };
      // 1227: ER_SPECIFIC_ACCESS_DENIED_ERROR; 1142/1044: table/database access denied.
      if (err.errno !== 1227 && err.errno !== 1142 && err.errno !== 1044) throw e;
      const [[u]] = (await this.pool.query("SELECT CURRENT_USER() AS u")) as [Rows, FieldPacket[]];
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
    const [rows] = await this.pool.execute<Rows>(text, params as (string | number | null)[]);
    return rows;
  }

  private quote(name: string): string {
    return mysql.escapeId(name); // `schema`.`table` for a qualified name
  }

  private col(name: string): string {
    return mysql.escapeId(name, true);
  }

  async discoverTables(): Promise<DiscoveredTable[]> {
    const rows = await this.run(
      `SELECT s.TABLE_NAME AS tbl, MIN(s.COLUMN_NAME) AS col
         FROM information_schema.STATISTICS s
         JOIN information_schema.COLUMNS c
           ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME
        WHERE s.TABLE_SCHEMA = DATABASE() AND s.INDEX_NAME = 'PRIMARY' AND s.TABLE_NAME <> 'db_events'
        GROUP BY s.TABLE_NAME
       HAVING COUNT(*) = 1 AND MIN(c.DATA_TYPE) IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint') AND MIN(c.COLUMN_TYPE) NOT LIKE 'tinyint(1)%'
        ORDER BY s.TABLE_NAME`,
    );
    return rows.map((r) => ({ table: String(r.tbl), key: String(r.col), keyType: "integer" as const }));
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
      return { name: n, type: json.has(n) ? "json" : mysqlFieldType(String(r.data_type), columnType), dbType: columnType };
    });
  }

  async pollAfter(t: TableRef, after: bigint, limit: number): Promise<Row[]> {
    const key = this.col(t.key);
    const rows = await this.run(`SELECT * FROM ${this.quote(t.table)} WHERE ${key} > CAST(? AS SIGNED) ORDER BY ${key} LIMIT ?`, [after.toString(), limit]);
    return rows.map(jsonSafeRow);
  }

  async head(t: TableRef): Promise<bigint | null> {
    const [r] = await this.run(`SELECT CAST(MAX(${this.col(t.key)}) AS CHAR) AS max_key FROM ${this.quote(t.table)}`);
    return r!.max_key === null ? null : BigInt(String(r!.max_key));
  }

  /** Every caller gets a reading that began after its call; callers waiting together share one. */
  writers(_t: TableRef): Promise<Writers> {
    if (!this.current) {
      this.current = this.readWriters().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.queued ??= this.current
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.writers(_t);
      });
    return this.queued;
  }

  private async readWriters(): Promise<Writers> {
    const conn: PoolConnection = await this.probe.getConnection();
    try {
      await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
      const [threads] = (await conn.query(
        "SELECT CONNECTION_ID() AS me, ID AS thread, COMMAND AS command, USER AS user FROM information_schema.PROCESSLIST",
      )) as [Rows, FieldPacket[]];
      const me = String(threads[0]?.me);
      const samples: ThreadSample[] = threads
        .filter((r) => String(r.thread) !== me)
        .map((r) => ({ thread: String(r.thread), busy: !IDLE_COMMANDS.has(String(r.command)) && String(r.user) !== "system user" }));
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        const nonce = `nomnom-live reading ${process.pid}.${++this.readingSeq}`;
        // The marker: while it runs, a refill of the cache by any session shows this nonce as our
        // transaction's statement. It also spaces our reads past the idle time, with jitter on a retry
        // so that sessions reading in step do not keep each other stale.
        const pause = Math.max(0, this.lastTrxRead + TRX_CACHE_IDLE_MS - Date.now()) + (attempt > 0 ? Math.random() * 150 : 0);
        await conn.query("SELECT ? AS nonce, SLEEP(?) AS paused", [nonce, pause / 1000]);
        const [trxs] = (await conn.query(
          `SELECT ? AS nonce, trx_mysql_thread_id AS thread, CAST(trx_id AS CHAR) AS id, CAST(trx_started AS CHAR) AS started,
                  trx_rows_modified AS rows_modified, trx_is_read_only AS read_only, trx_autocommit_non_locking AS non_locking, trx_query AS q
             FROM information_schema.INNODB_TRX`,
          [nonce],
        )) as [Rows, FieldPacket[]];
        this.lastTrxRead = Date.now();
        // Fresh only if the cache was filled after the marker began, hence after the PROCESSLIST read.
        if (trxs.some((r) => String(r.thread) === me && String(r.q ?? "").includes(nonce))) {
          const trxSamples: TrxSample[] = trxs
            .filter((r) => String(r.thread) !== me)
            .map((r) => ({
              thread: String(r.thread),
              id: String(r.id),
              started: String(r.started),
              rowsModified: Number(r.rows_modified),
              cannotWrite: Number(r.read_only) === 1 || Number(r.non_locking) === 1,
            }));
          return this.tracker.observe(samples, trxSamples);
        }
        if (Date.now() - started > FRESH_READING_TIMEOUT_MS) {
          throw new Error(
            `information_schema.INNODB_TRX stayed stale for ${FRESH_READING_TIMEOUT_MS} ms: the server refreshes it only after 0.1 s without readers, and some session reads it more often`,
          );
        }
      }
    } finally {
      await conn.query("COMMIT").catch(() => {});
      conn.release();
    }
  }

  async range(t: TableRef, q: RangeQuery): Promise<Row[]> {
    const key = this.col(t.key);
    const where = [`${key} <= CAST(? AS SIGNED)`];
    const params: unknown[] = [q.upTo.toString()];
    if (q.after !== undefined) {
      where.push(`${key} > CAST(? AS SIGNED)`);
      params.push(q.after.toString());
    }
    if (q.before !== undefined) {
      where.push(`${key} < CAST(? AS SIGNED)`);
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
    const [result] = await this.pool.execute(
      `DELETE FROM ${this.quote(t.table)} WHERE ${key} <= CAST(? AS SIGNED) AND ${this.col(t.timestamp)} < ? ORDER BY ${key} LIMIT ?`,
      [q.upTo.toString(), sqlTime(q.olderThan), q.limit],
    );
    return (result as { affectedRows: number }).affectedRows;
  }

  async countRows(table: string): Promise<{ count: number; estimated: boolean }> {
    const [schema, name] = splitName(table);
    const [est] = await this.run(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, [schema, name]);
    const estimate = est && est.n !== null ? Number(est.n) : -1;
    if (estimate >= EXACT_COUNT_LIMIT) return { count: estimate, estimated: true };
    const [r] = await this.run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${this.quote(table)} LIMIT ${EXACT_COUNT_LIMIT + 1}) x`);
    const count = Number(r!.n);
    return { count, estimated: count > EXACT_COUNT_LIMIT };
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async execute(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.probe.end()]);
  }
}
