/**
 * Doorbells: a connection of its own that learns when rows commit, so the poller runs a poll at once
 * instead of at its next interval. A bell only says "look now": rows still come from the gap-safe range
 * read alone (poller/gap-cursor.ts), so a bell that comes late, twice or never costs latency, never a row.
 *
 * - `notify`: LISTEN on WAKE_CHANNEL. The events mode's changelog triggers signal it (pg-changelog-sql.ts);
 *   in table mode an opt-in statement-level trigger per table does (pg-wake-sql.ts, installed by `migrate`).
 * - `wal`: logical replication of the watched tables' inserts, through a temporary slot that dies with
 *   its connection (pg-wal-doorbell.ts); needs `wal_level = logical` and a role that may replicate.
 *
 * The drivers' side lives here, beside the dialects (only backend/db talks to drivers); which bell to
 * use, and what a ring does, is the poller's side (poller/wake.ts).
 */

export type DoorbellKind = "notify" | "wal";

/** The channel every nomnom-live trigger signals; the payload is the entity's name. */
export const WAKE_CHANNEL = "nomnom_live";

/** A watched table and the key its rings are reported under (the entity's name, or the changelog's). */
export interface BellTable {
  key: string;
  table: string;
}

export interface DoorbellHandlers {
  /** Rows may have committed; `key` names where (a BellTable's key, or a notify payload), null: anywhere. */
  ring(key: string | null): void;
  /** Listening (again): a commit while it was not is caught by one poll of everything then. */
  up(): void;
  /** The connection dropped or could not be opened; it is retried until `up` (or `close`). */
  down(error: string): void;
}

export interface Doorbell {
  /** The database session listening, while connected (pg_backend_pid); null for the embedded database. */
  readonly pid: number | null;
  /** Ends the connection and everything it created (the slot dies with it; the publication is dropped). */
  close(): Promise<void>;
}

/** The doorbells a dialect can ring. MySQL and MariaDB have none: they rely on adaptive polling alone. */
export interface Doorbells {
  /** Those of `tables` whose inserts signal WAKE_CHANNEL (a wake trigger, or a changelog trigger that notifies). */
  notifying(tables: string[]): Promise<string[]>;
  /** Why logical replication cannot ring for `tables` here, or null when it can. */
  walUnavailable(tables: string[]): Promise<string | null>;
  /** Opens a bell; it reports through `handlers` from then on, reconnecting by itself until closed. */
  open(kind: DoorbellKind, tables: BellTable[], handlers: DoorbellHandlers): Doorbell;
}

/** How long a dropped bell waits before its next attempt: 100 ms, doubling, at most 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
}

/**
 * A bell's reconnecting, the same for every kind: a drop is reported once (and so is a first attempt
 * that fails), then `connect` runs again after reconnectDelay, the wait growing until it connects.
 */
export class BellRetry {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly handlers: DoorbellHandlers,
    private readonly connect: () => Promise<void>,
  ) {}

  /** The bell is down: `wasUp`, it had been listening until now. */
  dropped(wasUp: boolean, why: string): void {
    if (wasUp || this.attempt === 0) this.handlers.down(why);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, reconnectDelay(this.attempt++));
  }

  /** Listening again: the next drop is retried from the shortest wait. */
  connected(): void {
    this.attempt = 0;
    this.handlers.up();
  }

  /** Closed: no attempt is made any more. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
