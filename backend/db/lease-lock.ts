/**
 * Named locks held by one database session: how replicas elect the poller of each entity with the
 * database's own locks, without consensus of their own. PostgreSQL takes session-level advisory locks
 * (pg-lock.ts), MySQL and MariaDB `GET_LOCK` (mysql-lock.ts); both are released by the server the moment
 * the session ends, so a replica that dies — or merely loses that connection — gives its entities up
 * at once, and it learns so itself (`onLost`) and stops polling them.
 *
 * One dedicated connection per replica holds all of its locks: a pooled connection could be swapped
 * under a lock without anyone noticing. Lock names are the caller's (the cluster's name and the entity);
 * what the database sees is a key derived from them deterministically (and, on MySQL/MariaDB, whose
 * locks are server-wide, from the database's name too), so every replica derives the same.
 */
import { DatabaseUrlError } from "./open.ts";

export interface LeaseLocks {
  /** Takes the lock if it is free, without waiting: true when this session holds it now. */
  tryAcquire(name: string): Promise<boolean>;
  /** Gives the lock back (nothing when it is not held). */
  release(name: string): Promise<void>;
  /** Whether this session holds the lock, as far as this process knows: false from the moment the session is lost. */
  holds(name: string): boolean;
  /** Called each time the session is lost while holding locks, with the locks that went with it. */
  onLost(listener: (names: string[], reason: string) => void): void;
  /** Ends the session: every lock is released. */
  close(): Promise<void>;
}

/** The locks for the database of `url`, on a session opened at the first `tryAcquire` (and again after one is lost). */
export async function openLeaseLocks(url: string): Promise<LeaseLocks> {
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "postgres":
    case "postgresql": {
      const { PgLeaseLocks } = await import("./pg-lock.ts");
      return new PgLeaseLocks(url);
    }
    case "mysql":
    case "mariadb": {
      const { MysqlLeaseLocks } = await import("./mysql-lock.ts");
      return new MysqlLeaseLocks(url);
    }
    default:
      throw new DatabaseUrlError("cluster.bus needs a database server (postgres://, mysql:// or mariadb://) whose locks elect each entity's poller; the embedded PGlite serves one process only");
  }
}

/** The bookkeeping both sessions share: which locks are held, and who to tell when they are lost. */
export class HeldLocks {
  private readonly held = new Set<string>();
  private readonly listeners: ((names: string[], reason: string) => void)[] = [];

  has(name: string): boolean {
    return this.held.has(name);
  }

  add(name: string): void {
    this.held.add(name);
  }

  delete(name: string): void {
    this.held.delete(name);
  }

  onLost(listener: (names: string[], reason: string) => void): void {
    this.listeners.push(listener);
  }

  /** The session ended: every lock went with it. */
  lost(reason: string): void {
    const names = [...this.held];
    this.held.clear();
    if (names.length > 0) for (const l of this.listeners) l(names, reason);
  }
}
