/**
 * Query deadlines. A database that stops answering without closing the connection — a host that died
 * without a reset, a firewall or NAT that drops packets, a proxy holding bytes — would leave a query
 * waiting for ever, and the poller behind it frozen. So every statement has two deadlines:
 *
 * - server-side, `timeoutMs` (PostgreSQL `statement_timeout`, MariaDB `max_statement_time`, MySQL
 *   `max_execution_time`): a statement the server itself is slow to finish is cancelled by the server,
 *   and the connection stays usable;
 * - client-side, a little later (`clientDeadlineMs`): a statement the server has not answered even with
 *   that cancellation is abandoned — the call rejects with QueryTimeoutError — and the connection it
 *   ran on is destroyed, so the pool opens a new one for the next statement. The caller (the poller)
 *   retries from its cursor.
 */

/** `polling.query_timeout_ms` when the configuration does not say. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** How long after the server-side deadline the client gives up: the server's own cancellation gets a chance first. */
export function clientDeadlineMs(timeoutMs: number): number {
  return timeoutMs + Math.min(2000, timeoutMs);
}

/** A statement the database did not answer within its deadline; its connection was replaced. */
export class QueryTimeoutError extends Error {
  constructor(
    readonly afterMs: number,
    what = "a query",
  ) {
    super(`${what} got no answer from the database within ${Math.round(afterMs / 100) / 10} s; connection replaced`);
    this.name = "QueryTimeoutError";
  }
}

/**
 * Settles as `work` does, unless it has not within `ms`: then `expire` is called (to destroy the
 * connection `work` waits on) and the result rejects with QueryTimeoutError. `work`'s own late
 * outcome is ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, expire: () => void, what?: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      work.catch(() => {}); // abandoned: it rejects once its connection is destroyed
      try {
        expire();
      } finally {
        reject(new QueryTimeoutError(ms, what));
      }
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
