/**
 * `polling.wake`: what runs a poll right after rows commit. At start `planWake` picks the doorbell
 * (db/doorbell.ts) — `auto` takes the best one the database offers: `notify` where the watched tables'
 * triggers signal it, else `wal` where logical replication may be used, else `none` — and refuses a
 * setting the database cannot honour. `Wake` then opens it and turns its rings into `wake()` calls on
 * the pollers concerned.
 *
 * A bell is an accelerator, never a source: rows come only from the gap-safe range read. So a bell
 * connection that drops costs nothing but latency: every poller polls at once and adapts its cadence
 * without the bell (cadence.ts) until it listens again — then every poller polls once more, for what
 * committed in between. Drops are logged and shown in `/api/health` (`wake`).
 */
import type { WakeHealth } from "../../contract/rest.ts";
import type { Config } from "../config/schema.ts";
import { ConfigError } from "../config/errors.ts";
import { EVENTS_TABLE } from "../db/changelog-table.ts";
import type { Dialect } from "../db/dialect.ts";
import { WAKE_CHANNEL, type Doorbell, type DoorbellKind } from "../db/doorbell.ts";
import type { Logger } from "../log.ts";

export type WakeSetting = Config["polling"]["wake"];

/** What a poller needs to be woken. */
export interface Wakeable {
  wake(): void;
  /** A listening doorbell covers it: no poll need be spent looking for rows. */
  belled: boolean;
}

export interface WakePlan {
  setting: WakeSetting;
  kind: DoorbellKind | "none";
  /** The tables the bell rings for (notify: those whose triggers signal it; wal: those it replicates). */
  tables: string[];
  /** Why this one (for `auto`), or what is missing; for the log and health. */
  reason: string;
}

/** The tables behind the pollers: whose triggers would notify, and which a wal bell would replicate. */
export interface WakeTables {
  notify: string[];
  wal: string[];
}

/** The tables behind a polling mode's pollers: in events mode the changelog is what replication would carry. */
export function wakeTables(mode: Config["polling"]["mode"], entityTables: string[]): WakeTables {
  return { notify: entityTables, wal: mode === "events" ? [EVENTS_TABLE] : entityTables };
}

/** No doorbell: what a backend made without planning one uses. */
export const NO_WAKE: WakePlan = { setting: "none", kind: "none", tables: [], reason: "polling.wake is none" };

function refuse(source: string, message: string): never {
  throw new ConfigError(source, [{ path: "polling.wake", message }]);
}

const MIGRATE = "run `nomnom-live migrate --config <this file>` (with polling.wake: notify in table mode it installs a statement-level trigger per table that only calls pg_notify)";

export async function planWake(dialect: Dialect, setting: WakeSetting, tables: WakeTables, source = "configuration"): Promise<WakePlan> {
  if (setting !== "auto") return choose(dialect, setting, tables, source);
  try {
    return await choose(dialect, setting, tables, source);
  } catch (e) {
    // auto asks only for what is there: a catalogue it may not read leaves it polling, not failing.
    return { setting, kind: "none", tables: [], reason: `could not tell which doorbell the database offers (${e instanceof Error ? e.message : String(e)})` };
  }
}

async function choose(dialect: Dialect, setting: WakeSetting, tables: WakeTables, source: string): Promise<WakePlan> {
  const none = (reason: string): WakePlan => ({ setting, kind: "none", tables: [], reason });
  if (setting === "none") return none("polling.wake is none");
  const bells = dialect.doorbells;
  if (!bells) {
    if (setting !== "auto") refuse(source, `is ${setting}, but ${dialect.name} has no doorbell (only PostgreSQL and PGlite do); use auto or none: rows are then read with adaptive polling`);
    return none(`${dialect.name} has no doorbell`);
  }
  if (setting !== "wal") {
    const notifying = await bells.notifying(tables.notify);
    const missing = tables.notify.filter((t) => !notifying.includes(t));
    if (notifying.length > 0) {
      return { setting, kind: "notify", tables: notifying, reason: missing.length ? `no trigger signals ${WAKE_CHANNEL} on ${missing.join(", ")} (${MIGRATE}); those are polled adaptively` : `triggers on ${notifying.join(", ")} signal ${WAKE_CHANNEL}` };
    }
    if (setting === "notify") refuse(source, `is notify, but no trigger signals ${WAKE_CHANNEL} on ${tables.notify.join(", ") || "the watched tables"}: ${MIGRATE}`);
  }
  const walWhyNot = tables.wal.length ? await bells.walUnavailable(tables.wal) : "no table to replicate";
  if (walWhyNot === null) return { setting, kind: "wal", tables: tables.wal, reason: setting === "auto" ? `no trigger signals ${WAKE_CHANNEL}; logical replication is available` : "polling.wake is wal" };
  if (setting === "wal") refuse(source, `is wal, but logical replication cannot be used: ${walWhyNot}`);
  return none(`no trigger signals ${WAKE_CHANNEL} and logical replication cannot be used (${walWhyNot})`);
}

interface Route {
  poller: Wakeable;
  /** The tables behind the poller: it is belled only when the bell rings for all of them. */
  tables: WakeTables;
}

export class Wake {
  private readonly routes = new Map<string, Set<Wakeable>>();
  private readonly pollers: Route[] = [];
  private bell: Doorbell | null = null;
  private connected = false;
  private drops = 0;
  private lastError: string | null = null;
  private downSince: number | null = null;

  constructor(
    readonly plan: WakePlan,
    private readonly dialect: Dialect,
    private readonly log: Logger,
  ) {}

  /**
   * A poller, rung by `keys` (notify payloads: entity names) and by its tables' names. `tables` are
   * those behind it, as each bell sees them: in table mode the entity's own table for both; in events
   * mode the entities' tables (whose changelog triggers notify) and the changelog (which wal replicates).
   */
  register(poller: Wakeable, keys: string[], tables: WakeTables): void {
    for (const k of new Set([...keys, ...tables.notify, ...tables.wal])) {
      const set = this.routes.get(k) ?? new Set();
      set.add(poller);
      this.routes.set(k, set);
    }
    const route = { poller, tables };
    this.pollers.push(route);
    poller.belled = this.connected && this.covers(route);
  }

  private covers(r: Route): boolean {
    const { kind } = this.plan;
    const tables = kind === "notify" ? r.tables.notify : kind === "wal" ? r.tables.wal : [];
    return tables.length > 0 && tables.every((t) => this.plan.tables.includes(t));
  }

  start(): void {
    const { kind, tables, setting, reason } = this.plan;
    if (kind === "none") {
      this.log.info("polling.wake: none — adaptive polling, no doorbell", { setting, reason });
      return;
    }
    this.log.info(`polling.wake: ${kind} — a poll runs right after rows commit`, { setting, tables: tables.join(", "), reason });
    this.bell = this.dialect.doorbells!.open(
      kind,
      tables.map((t) => ({ key: t, table: t })),
      {
        ring: (key) => {
          const targets = key === null ? undefined : this.routes.get(key);
          for (const p of targets ?? this.pollers.map((r) => r.poller)) p.wake();
        },
        up: () => {
          if (this.downSince !== null) this.log.info(`polling.wake: the ${kind} doorbell listens again`, { down_ms: Date.now() - this.downSince });
          this.connected = true;
          this.downSince = null;
          for (const r of this.pollers) r.poller.belled = this.covers(r);
          for (const r of this.pollers) r.poller.wake(); // whatever committed while it was not listening
        },
        down: (error) => {
          const was = this.connected;
          this.connected = false;
          this.lastError = error;
          this.downSince ??= Date.now();
          if (was) this.drops++;
          this.log.warn(`polling.wake: the ${kind} doorbell is not listening; polling without it until it reconnects`, { error });
          for (const r of this.pollers) r.poller.belled = false;
          for (const r of this.pollers) r.poller.wake();
        },
      },
    );
  }

  async stop(): Promise<void> {
    const bell = this.bell;
    this.bell = null;
    this.connected = false;
    for (const r of this.pollers) r.poller.belled = false;
    await bell?.close();
  }

  /** The database session of the bell, while it listens (tests end it to show a drop loses nothing). */
  get pid(): number | null {
    return this.bell?.pid ?? null;
  }

  status(): WakeHealth {
    const { setting, kind, reason } = this.plan;
    return {
      setting,
      active: kind,
      connected: kind === "none" || this.connected,
      reason,
      drops: this.drops,
      ...(this.lastError ? { last_error: this.lastError } : {}),
    };
  }
}
