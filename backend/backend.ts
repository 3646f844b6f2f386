/**
 * The backend, independent of runtime and of HTTP: database, entities, the polling mode's stream (its
 * pollers and feeds), the hub, statistics and health.
 * `Backend.create` opens and checks everything; `start` begins polling; `stop` ends it cleanly.
 */
import pkg from "../package.json" with { type: "json" };
import type { EntityStatsMap, HealthResponse } from "../contract/rest.ts";
import { CloseCode } from "../contract/index.ts";
import type { Config } from "./config/schema.ts";
import type { ColumnInfo, Dialect } from "./db/dialect.ts";
import { toRowId } from "../contract/index.ts";
import { openDatabase } from "./db/open.ts";
import { eventsStream, prepareEvents } from "./events/events-stream.ts";
import type { Retention } from "./events/retention.ts";
import { resolveEntities, type Entity } from "./entities.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import type { ModeStream, ModeStreamOptions } from "./poller/mode-stream.ts";
import { tableStream } from "./poller/table-stream.ts";
import { EntityStatsTracker } from "./stats.ts";
import { Hub } from "./stream/hub.ts";

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
  readonly hub: Hub;
  readonly stats_ = new Map<string, EntityStatsTracker>();
  /** The polling mode's pollers and feeds (table mode: one poller per entity; events mode: the changelog's). */
  private readonly stream: ModeStream;
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
    for (const e of entities) this.stats_.set(e.info.name, new EntityStatsTracker());
    const options: ModeStreamOptions = {
      entities,
      dialect,
      polling: config.polling,
      log,
      metrics: this.metrics,
      stats: (name) => this.stats_.get(name)!,
      publish: (name, changes) => this.hub.publish(name, changes),
      // One database behind every poller: the latest success or failure of any is its health.
      onHealth: (ok, e) => {
        this.databaseError = ok ? null : e instanceof Error ? e.message : String(e);
      },
    };
    if (eventColumns) {
      const events = eventsStream({ ...options, columns: eventColumns });
      this.retention = events.retention;
      this.stream = events;
    } else this.stream = tableStream(options);
    this.metrics.track(entities.map((e, i) => ({ entity: e.info.name, lastPollAt: () => this.stream.entityPollers[i]!.lastPollAt })));
    const s = config.server;
    this.hub = new Hub(
      this.stream.feeds,
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
    for (const p of this.stream.pollers) p.start();
    for (const e of this.entities) void this.initialCount(e);
    void this.stream.pollers[0]?.ready.then(() => this.retention?.start());
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
    for (const [i, p] of this.stream.entityPollers.entries()) {
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
    for (const p of this.stream.pollers) p.stop();
    this.retention?.stop();
    this.hub.closeAll(CloseCode.GoingAway, "server shutting down; reconnect with your cursor");
    if (this.ownsDialect) await this.dialect.close().catch(() => {});
  }
}
