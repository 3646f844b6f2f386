/**
 * Client-side deadlines on mysql2 (deadline.ts): a statement runs on a connection taken for it, and a
 * connection that does not answer by the deadline is destroyed — the pool opens a new one for the next
 * statement — while the call rejects with QueryTimeoutError.
 */
import type { Pool, PoolConnection } from "mysql2/promise";
import { withDeadline } from "./deadline.ts";

/** Idle time before the first TCP keepalive probe. */
export const KEEPALIVE_MS = 10_000;

/** Destroys a connection that stopped answering: its socket at once (mysql2's destroy() only ends it politely). */
export function destroyConnection(conn: PoolConnection): void {
  conn.destroy();
  (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** When each connection last answered; connections idle since before a deadline expired are suspect. */
const answeredAt = new WeakMap<PoolConnection, number>();
/** When a deadline last expired, per pool. */
const expiredAt = new WeakMap<Pool, number>();

/**
 * A free connection of `pool`. One that has not answered since a statement of this pool went
 * unanswered was idle through the same outage and is most likely dead too (a black hole does not close
 * it): it is destroyed rather than used, so recovery does not wait out one deadline per idle connection.
 */
async function take(pool: Pool): Promise<PoolConnection> {
  for (;;) {
    const conn = await pool.getConnection();
    if ((answeredAt.get(conn) ?? Infinity) >= (expiredAt.get(pool) ?? 0)) return conn;
    destroyConnection(conn);
  }
}

/**
 * Runs `work` on a connection of `pool` taken for it; past `ms` the connection is destroyed (or, when
 * none was free yet, given back as soon as one is) and the call rejects with QueryTimeoutError.
 */
export function onConnection<T>(pool: Pool, ms: number, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  let expired = false;
  let inUse: PoolConnection | null = null;
  const running = take(pool).then(async (conn) => {
    if (expired) {
      conn.release();
      throw new Error("abandoned while waiting for a connection");
    }
    inUse = conn;
    try {
      const result = await work(conn);
      answeredAt.set(conn, Date.now());
      return result;
    } finally {
      if (!expired) conn.release();
    }
  });
  return withDeadline(running, ms, () => {
    expired = true;
    expiredAt.set(pool, Date.now());
    if (inUse) destroyConnection(inUse);
  });
}
