/**
 * The backend, independent of runtime: database, entities, one poller per entity, the hub, statistics.
 * `createBackend` opens and checks everything; `start` begins polling; `stop` ends it cleanly.
 */
import pkg from "../package.json" with { type: "json" };
import type { EntityStatsMap, HealthResponse } from "../contract/rest.ts";
import { CloseCode } from "../contract/index.ts";
import type { Config } from "./config/schema.ts";
import type { ColumnInfo, Dialect } from "./db/dialect.ts";
import { toRowId } from "../contract/index.ts";
import { openDatabase } from "./db/open.ts";
import { eventsStream, prepareEvents } from "./events/events-stream.ts";
import { Retention } from "./events/retention.ts";
import { resolveEntities, type Entity } from "./entities.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { Poller } from "./poller/poller.ts";
import { EntityStatsTracker } from "./stats.ts";
import { TableFeed, type EntityFeed } from "./stream/feed.ts";
import { Hub } from "./stream/hub.ts";
import { TicketBook } from "./http/tickets.ts";

export interface BackendOptions {
  config: Config;
  /** An already open database (the demo shares its PGlite with the writer); otherwise opened from the config. */
  dialect?: Dialect;
  log?: Logger;
  /** Where the configuration came from, for error messages. */
  source?: string;
}

export class Backend {
  readonly version: string = pkg.version;
  readonly startedAt = Date.now();
  readonly metrics = new Metrics();
  readonly tickets = new TicketBook();
  readonly hub: Hub;
  readonly stats_ = new Map<string, EntityStatsTracker>();
  private readonly pollers: Poller[] = [];
  /** The poller behind each entity (in events mode the changelog's, shared). */
  private readonly entityPollers: Poller[] = [];
  /** Events mode: the changelog's retention. */
  readonly retention: Retention | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private databaseError: string | null = null;

  private constructor(
    readonly config: Config,
    readonly dialect: Dialect,
    readonly entities: Entity[],
    readonly log: Logger,
    private readonly ownsDialect: boolean,
    /** Events mode: each entity's columns, to decode changelog payloads. */
    eventColumns: Map<string, ColumnInfo[]> | null = null,
  ) {
    const p = config.polling;
    const onHealth = (ok: boolean, e?: unknown) => {
      this.databaseError = ok ? null : e instanceof Error ? e.message : String(e);
    };
    let feeds: EntityFeed[];
    if (eventColumns) {
      for (const e of entities) this.stats_.set(e.info.name, new EntityStatsTracker());
      const events = eventsStream({
        entities,
        columns: eventColumns,
        dialect,
        polling: p,
        log,
        metrics: this.metrics,
        stats: (name) => this.stats_.get(name)!,
        publish: (name, changes) => this.hub.publish(name, changes),
        onHealth,
      });
      this.pollers.push(events.poller);
      for (const _ of entities) this.entityPollers.push(events.poller);
      feeds = events.feeds;
      this.retention = new Retention({ dialect, days: p.cleanup_after_days, position: () => events.poller.position, log });
    } else feeds = entities.map((entity) => {
      const stats = new EntityStatsTracker();
      this.stats_.set(entity.info.name, stats);
      const poller = new Poller({
        entity: entity.info.name,
        table: entity.ref,
        dialect,
        intervalMs: p.interval_ms,
        batchSize: p.max_events_per_poll,
        gapTimeoutMs: p.gap_timeout_ms,
        log,
        metrics: this.metrics,
        onRows: (rows, keys) => {
          stats.record(rows.length, keys[keys.length - 1]!);
          this.hub.publish(entity.info.name, rows.map((data, i) => ({ type: "insert", id: keys[i]!, data })));
        },
        onHealth: (ok, e) => {
          this.databaseError = ok ? null : e instanceof Error ? e.message : String(e);
        },
      });
      this.pollers.push(poller);
      this.entityPollers.push(poller);
      return new TableFeed(entity, poller, dialect);
    });
    this.metrics.track(entities.map((e, i) => ({ entity: e.info.name, lastPollAt: () => this.entityPollers[i]!.lastPollAt })));
    const s = config.server;
    this.hub = new Hub(
      feeds,
      {
        bufferBytes: s.client_buffer_bytes,
        totalBufferBytes: s.total_buffer_bytes,
        lagTimeoutMs: 30_000,
        messageBytes: s.max_message_bytes,
        messagesPerSecond: 50,
        messagesBurst: 100,
        maxConnections: s.max_connections,
        maxConnectionsPerAddress: s.max_connections_per_ip,
      },
      this.metrics,
      log,
    );
  }

  static async create(options: BackendOptions): Promise<Backend> {
    const log = options.log ?? createLogger();
    const { config } = options;
    const dialect = options.dialect ?? (await openDatabase(config.database.url, { dataDir: config.database.data_dir }));
    try {
      const entities = await resolveEntities(dialect, config.entities, options.source);
      if (entities.length === 0) log.warn("no entities to watch: configure `entities` or create a table with a single-column integer primary key");
      const eventColumns = config.polling.mode === "events" ? await prepareEvents(dialect, entities, options.source) : null;
      return new Backend(config, dialect, entities, log, !options.dialect, eventColumns);
    } catch (e) {
      if (!options.dialect) await dialect.close().catch(() => {});
      throw e;
    }
  }

  start(): void {
    if (this.config.server.auth_tokens.length === 0) this.log.warn("server.auth_tokens is empty: the API and WebSocket are open to anyone who can reach this port");
    for (const p of this.pollers) p.start();
    for (const e of this.entities) void this.initialCount(e);
    void this.pollers[0]?.ready.then(() => this.retention?.start());
    this.statsTimer = setInterval(() => this.hub.publishStats(this.stats()), this.config.server.stats_interval_ms);
  }

  private async initialCount(e: Entity): Promise<void> {
    try {
      const { count, estimated } = await this.dialect.countRows(e.ref.table);
      const s = this.stats_.get(e.info.name)!;
      s.total += count;
      s.estimated = estimated;
    } catch (err) {
      this.log.warn("could not count rows", { entity: e.info.name, error: (err as Error).message });
    }
  }

  /** Resolves when every entity's start position is settled. */
  async ready(): Promise<void> {
    await Promise.all([...this.hub.feeds.values()].map((f) => f.ready));
  }

  stats(): EntityStatsMap {
    const out: EntityStatsMap = {};
    for (const [name, s] of this.stats_) out[name] = s.snapshot();
    return out;
  }

  health(): HealthResponse {
    const now = Date.now();
    const entities: HealthResponse["entities"] = {};
    let lagging: string | null = null;
    for (const [i, p] of this.entityPollers.entries()) {
      const name = this.entities[i]!.info.name;
      const lag = p.lastPollAt === null ? null : now - p.lastPollAt;
      const gap = p.waitingOnGap;
      entities[name] = {
        last_id: p.position === null ? null : toRowId(p.position),
        poll_lag_ms: lag,
        ...(gap ? { waiting_on_gap: { after_id: toRowId(gap.after), since: new Date(gap.since).toISOString() } } : {}),
      };
      if (lag !== null && lag > Math.max(10_000, this.config.polling.interval_ms * 20)) lagging = `entity ${name} has not been polled for ${Math.round(lag / 1000)} s`;
    }
    const reason = this.databaseError ? `database unreachable: ${this.databaseError}` : lagging;
    return {
      status: reason ? "degraded" : "ok",
      ...(reason ? { reason } : {}),
      version: this.version,
      uptime_s: Math.round((now - this.startedAt) / 1000),
      clients: this.hub.sessions.size,
      database: { dialect: this.dialect.name, reachable: this.databaseError === null, ...(this.databaseError ? { error: this.databaseError } : {}) },
      entities,
    };
  }

  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const p of this.pollers) p.stop();
    this.retention?.stop();
    this.hub.closeAll(CloseCode.GoingAway, "server shutting down; reconnect with your cursor");
    if (this.ownsDialect) await this.dialect.close().catch(() => {});
  }
}
