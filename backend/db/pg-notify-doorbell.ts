/**
 * The `notify` doorbell on PostgreSQL: one connection of its own, LISTENing on WAKE_CHANNEL. The
 * triggers notify inside the inserting transaction and PostgreSQL delivers at commit, so a ring means
 * rows are visible. postgres.js's own `listen` re-listens once after a drop and then gives up silently;
 * this one reports the drop (the poller polls without it meanwhile) and retries until it listens again
 * — on a new connection each time, and also when the one it has stops answering without closing.
 */
import postgres from "postgres";
import { BellRetry, errorText, WAKE_CHANNEL, type Doorbell, type DoorbellHandlers } from "./doorbell.ts";

/** What the bell connections call themselves in pg_stat_activity. */
export const BELL_APPLICATION_NAME = "nomnom-live wake";

/** A single connection with the pool's address, login and settings, for a bell. */
export function bellConnection(base: postgres.Sql, extra: { onnotify?: (channel: string, payload: string) => void; onclose?: () => void; replication?: boolean }): postgres.Sql {
  const { replication, ...rest } = extra;
  const parsed = base.options as unknown as Record<string, unknown> & { connection: Record<string, unknown> };
  // postgres.js takes its parsed options back (its own `subscribe` does the same). Not the pool's socket
  // factory: its deadline watch would take a bell, silent while nothing commits, for a stuck connection.
  return postgres({
    ...parsed,
    socket: undefined,
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    ...rest,
    // No statement deadline either: a replication stream is one statement that runs as long as the bell.
    connection: { ...parsed.connection, statement_timeout: 0, application_name: BELL_APPLICATION_NAME, ...(replication ? { replication: "database" } : {}) },
  } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
}

/** How often a listening connection is asked to answer, and how long it has: a silent one is replaced. */
const CHECK_EVERY_MS = 15_000;
const ANSWER_WITHIN_MS = 5_000;

export function pgNotifyDoorbell(base: postgres.Sql, handlers: DoorbellHandlers): Doorbell {
  let closed = false;
  let listening = false;
  let pid: number | null = null;
  let sql: postgres.Sql | null = null;
  const retry = new BellRetry(handlers, connect);

  /** The connection is gone (or useless): report it once, drop it, and try again later. */
  function lost(conn: postgres.Sql, why: string): void {
    if (closed || sql !== conn) return;
    const was = listening;
    listening = false;
    pid = null;
    sql = null;
    void conn.end({ timeout: 0 }).catch(() => {});
    retry.dropped(was, why);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const conn: postgres.Sql = bellConnection(base, {
      onnotify: (channel: string, payload: string) => {
        if (channel === WAKE_CHANNEL) handlers.ring(payload || null);
      },
      onclose: () => lost(conn, "the LISTEN connection closed"),
    });
    sql = conn;
    try {
      await conn.unsafe(`LISTEN ${WAKE_CHANNEL}`);
      const [r] = await conn.unsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid");
      if (closed || sql !== conn) return;
      pid = Number(r!.pid);
      listening = true;
      retry.connected();
    } catch (e) {
      lost(conn, errorText(e));
    }
  }

  // A connection can also die without closing (a host gone, a dropped route): it is asked now and then.
  const check = setInterval(() => {
    const conn = sql;
    if (!conn || !listening) return;
    const silent = setTimeout(() => lost(conn, "the LISTEN connection stopped answering"), ANSWER_WITHIN_MS);
    conn`SELECT 1`.then(
      () => clearTimeout(silent),
      () => clearTimeout(silent), // a closed connection reports itself
    );
  }, CHECK_EVERY_MS);
  check.unref?.();

  void connect();
  return {
    get pid() {
      return pid;
    },
    async close() {
      closed = true;
      clearInterval(check);
      retry.cancel();
      const conn = sql;
      sql = null;
      await conn?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
