/**
 * The MySQL/MariaDB dialect's `writers`, read from information_schema on a dedicated connection; the
 * bookkeeping of the readings is innodb-writers.ts.
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
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { withDeadline } from "./deadline.ts";
import type { Writers } from "./dialect.ts";
import { destroyConnection } from "./mysql-deadline.ts";
import { InnodbWriterTracker, type ThreadSample, type TrxSample } from "./innodb-writers.ts";

/** PROCESSLIST commands of threads that are not running a client statement. */
const IDLE_COMMANDS = new Set(["Sleep", "Daemon", "Binlog Dump", "Binlog Dump GTID"]);
/** The cache behind INNODB_TRX is refilled only after this long unread (plus a margin). */
const TRX_CACHE_IDLE_MS = 105;
/** A reading that cannot get a fresh cache for this long fails (the poller retries and reports it). */
const FRESH_READING_TIMEOUT_MS = 10_000;

type Rows = RowDataPacket[];

export class InnodbWritersReader {
  private readonly tracker = new InnodbWriterTracker();
  private current: Promise<Writers> | null = null;
  private queued: Promise<Writers> | null = null;
  private lastTrxRead = 0;
  private readingSeq = 0;

  /**
   * `probe`: a pool of one connection, so each reading runs in a transaction of its own. `deadlineMs`:
   * each statement's client-side deadline (deadline.ts); past it the connection is destroyed.
   */
  constructor(
    private readonly probe: Pool,
    private readonly deadlineMs: number,
  ) {}

  /** Every caller gets a reading that began after its call; callers waiting together share one. */
  read(): Promise<Writers> {
    if (!this.current) {
      this.current = this.readOnce().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.queued ??= this.current
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.read();
      });
    return this.queued;
  }

  private async readOnce(): Promise<Writers> {
    const taking = this.probe.getConnection();
    // A connection that arrives after the deadline goes back to the pool (of one: the next reading needs it).
    const conn: PoolConnection = await withDeadline(taking, this.deadlineMs, () => void taking.then((c) => c.release(), () => {}));
    let dead = false;
    const guarded = <T>(work: Promise<T>): Promise<T> =>
      withDeadline(work, this.deadlineMs, () => {
        dead = true;
        destroyConnection(conn);
      });
    try {
      await guarded(conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
      const [threads] = await guarded(conn.query<Rows>("SELECT CONNECTION_ID() AS me, ID AS thread, COMMAND AS command, USER AS user FROM information_schema.PROCESSLIST"));
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
        await guarded(conn.query("SELECT ? AS nonce, SLEEP(?) AS paused", [nonce, pause / 1000]));
        const [trxs] = await guarded(
          conn.query<Rows>(
          `SELECT ? AS nonce, trx_mysql_thread_id AS thread, CAST(trx_id AS CHAR) AS id, CAST(trx_started AS CHAR) AS started,
                  trx_rows_modified AS rows_modified, trx_is_read_only AS read_only, trx_autocommit_non_locking AS non_locking, trx_query AS q
             FROM information_schema.INNODB_TRX`,
            [nonce],
          ),
        );
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
      if (!dead) {
        await guarded(conn.query("COMMIT")).catch(() => {});
        if (!dead) conn.release();
      }
    }
  }
}
