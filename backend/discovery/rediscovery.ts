/**
 * Discovery while the backend runs: without configured entities, the database is looked at again every
 * `discovery.interval_ms`, and a table created since start is watched like the others — its poller,
 * feed, statistics and metrics series — without a restart. Tables already watched keep their entity and
 * name; a table that stays unwatchable is logged once, not at every look.
 *
 * Table mode only: in events mode a new table has no triggers filling the changelog until `migrate`
 * runs, so it is picked up at the next start.
 */
import type { Dialect } from "../db/dialect.ts";
import { discoverEntities, type Entity } from "../entities.ts";
import type { Logger } from "../log.ts";

/** What rediscovery needs of the backend. */
export interface RediscoveryHost {
  readonly entities: readonly Entity[];
  /** Starts watching entities found after start. */
  watch(entities: Entity[]): void;
}

export class Rediscovery {
  /** What was logged per table, shared by every look so each is logged once. */
  private readonly reported = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<Entity[]> | null = null;
  private stopped = false;

  constructor(
    private readonly dialect: Dialect,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  /** The entities at start, every table logged. */
  initial(): Promise<Entity[]> {
    return discoverEntities(this.dialect, { log: this.log, reported: this.reported });
  }

  start(host: RediscoveryHost): void {
    if (this.intervalMs <= 0 || this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.look(host), this.intervalMs);
  }

  /** One look for new tables (one at a time); resolves with the entities it added. */
  look(host: RediscoveryHost): Promise<Entity[]> {
    this.running ??= this.find(host).finally(() => (this.running = null));
    return this.running;
  }

  private async find(host: RediscoveryHost): Promise<Entity[]> {
    try {
      const found = await discoverEntities(this.dialect, {
        watched: new Set(host.entities.map((e) => e.ref.table)),
        names: host.entities.map((e) => e.info.name),
        log: this.log,
        reported: this.reported,
      });
      if (this.stopped || found.length === 0) return [];
      host.watch(found);
      return found;
    } catch (e) {
      // The poller reports an unreachable database in health; discovery just tries again next time.
      this.log.debug("could not look for new tables", { error: e instanceof Error ? e.message : String(e) });
      return [];
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
