/**
 * PostgreSQL's session-level advisory locks (`pg_try_advisory_lock`) on one dedicated connection: the
 * lease locks of lease-lock.ts. Advisory locks belong to the current database, so the key is the
 * lock's name hashed to 64 bits. postgres.js reconnects on the next query after a connection closes —
 * a new session, without the locks — so `onclose` is when they are lost, and the pool never closes the
 * connection by itself (no idle timeout, no maximum lifetime). TCP keepalive finds a peer that vanished.
 * postgres.js runs a query still queued when its connection ends on a new connection, even after
 * `end()`: `close` waits for the queries in flight first, so none outlives it.
 */
import { createHash } from "node:crypto";
import postgres from "postgres";
import { HeldLocks, type LeaseLocks } from "./lease-lock.ts";
import { KEEPALIVE_MS, PgSockets } from "./pg-sockets.ts";

/** The advisory lock key of a name: the first 64 bits of its SHA-256, signed, as PostgreSQL's bigint takes it. */
export function pgLockKey(name: string): bigint {
  return createHash("sha256").update(`nomnom-live|${name}`).digest().readBigInt64BE(0);
}

export class PgLeaseLocks implements LeaseLocks {
  private readonly sql: postgres.Sql;
  private readonly held = new HeldLocks();
  private readonly sockets = new PgSockets();
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(url: string) {
    this.sql = postgres(url, {
      max: 1,
      idle_timeout: undefined,
      max_lifetime: null,
      connect_timeout: 5,
      keep_alive: KEEPALIVE_MS / 1000,
      fetch_types: false,
      onnotice: () => {},
      ...({ socket: this.sockets.create } as object),
      connection: { application_name: "nomnom-live locks", statement_timeout: 5000 },
      onclose: () => {
        if (!this.closing) this.held.lost("the database connection holding the locks closed");
      },
    });
  }

  async tryAcquire(name: string): Promise<boolean> {
    if (this.held.has(name)) return true;
    const [row] = await this.run(this.sql`SELECT pg_try_advisory_lock(${pgLockKey(name).toString()}::bigint) AS ok`);
    if (row?.ok === true) this.held.add(name);
    return row?.ok === true;
  }

  async release(name: string): Promise<void> {
    if (!this.held.has(name)) return;
    this.held.delete(name);
    await this.run(this.sql`SELECT pg_advisory_unlock(${pgLockKey(name).toString()}::bigint)`);
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  onLost(listener: (names: string[], reason: string) => void): void {
    this.held.onLost(listener);
  }

  /** The backend process of the session holding the locks (tests end it to show the locks go with it). */
  async pid(): Promise<number> {
    const [row] = await this.run(this.sql`SELECT pg_backend_pid() AS pid`);
    return Number(row!.pid);
  }

  private run<T>(query: Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error("the lock session is closed"));
    const running = Promise.resolve(query);
    this.inFlight.add(running);
    const done = () => this.inFlight.delete(running);
    running.then(done, done);
    return running;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    await this.sql.end({ timeout: 2 });
  }
}
