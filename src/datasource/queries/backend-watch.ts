/**
 * What the live queries of one datasource share besides its socket: the entities' insert trends and the
 * database's state. The stream tells of a database outage only when a subscription cannot read its
 * snapshot; an outage that starts later shows in `/api/health` alone, so it is asked every
 * HEALTH_EVERY_MS while a live query runs (once per datasource, however many queries).
 */
import type { EntityInfo, HealthResponse } from "../../../contract/index.ts";
import type { DatabaseState } from "../../shared/types.ts";
import { InsertTrend } from "../insert-trend.ts";
import type { QueryContext } from "./context.ts";

export const HEALTH_EVERY_MS = 5_000;

/** The database's state that a health answer says. */
export function databaseStateOf(health: HealthResponse, since: number): DatabaseState {
  if (!health.database.reachable) return { status: "unavailable", message: health.database.error ?? health.reason ?? "the database does not answer", since };
  if (health.status === "degraded") return { status: "degraded", message: health.reason ?? "the backend reports a problem", since };
  return { status: "ok", since };
}

export class BackendWatch {
  readonly trend = new InsertTrend();
  database: DatabaseState = { status: "ok", since: 0 };
  /**
   * Date.now() of the latest health answer that found the database answering. A stream's
   * `database_unavailable` is cleared only by rows flowing again, which an idle entity never sees: a
   * later healthy answer says the outage is over.
   */
  okAt = 0;
  /** Positions of the entities in `GET /api/entities`, once known. */
  positions = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private stopStats: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped whenever the polling starts or stops, so an answer of an earlier round is dropped. */
  private round = 0;

  constructor(private readonly ctx: QueryContext) {}

  /** Starts watching for one query (the first one starts the polling); returns how to stop. */
  use(changed: () => void): () => void {
    this.listeners.add(changed);
    if (this.listeners.size === 1) {
      this.stopStats = this.ctx.live.watchStats((stats, at) => this.trend.take(stats, at));
      void this.check(++this.round);
    }
    return () => {
      if (!this.listeners.delete(changed) || this.listeners.size > 0) return;
      this.stopStats?.();
      this.stopStats = null;
      this.round++;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    };
  }

  /** The entities' order as the backend lists them. */
  learnPositions(all: EntityInfo[]): void {
    this.positions = new Map(all.map((e, i) => [e.name, i]));
  }

  private async check(round: number): Promise<void> {
    this.timer = null;
    try {
      const health = await this.ctx.api.health();
      if (round !== this.round) return;
      const next = databaseStateOf(health, Date.now());
      const changed = next.status !== this.database.status || next.message !== this.database.message;
      if (changed) this.database = next;
      if (next.status === "ok") this.okAt = Date.now();
      // Every healthy answer too: it may end a stream's reported outage.
      if (changed || next.status === "ok") for (const l of this.listeners) l();
    } catch {
      // The backend itself does not answer: the connection's state says so, the database's is unknown.
    }
    if (round === this.round) this.timer = setTimeout(() => void this.check(round), HEALTH_EVERY_MS);
  }
}

const watches = new WeakMap<object, BackendWatch>();

/** The datasource's BackendWatch (one per socket client, i.e. per datasource instance). */
export function backendWatch(ctx: QueryContext): BackendWatch {
  let w = watches.get(ctx.live);
  if (!w) {
    w = new BackendWatch(ctx);
    watches.set(ctx.live, w);
  }
  return w;
}
