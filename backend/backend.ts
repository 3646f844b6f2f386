/**
 * The backend, independent of runtime and of HTTP: database, entities, the polling mode's stream (its
 * pollers and feeds), the hub, statistics and health.
 * `Backend.create` opens and checks everything; `start` begins polling; `stop` ends it cleanly.
 */
import pkg from "../package.json" with { type: "json" };
import type { EntityStatsMap, HealthResponse } from "../contract/rest.ts";
import { CloseCode } from "../contract/index.ts";
import { Cluster, soloHealth } from "./cluster/cluster.ts";
import type { Config } from "./config/schema.ts";
import type { ColumnInfo, Dialect } from "./db/dialect.ts";
import { toRowId } from "../contract/index.ts";
import { openDatabase } from "./db/open.ts";
import { eventsStream, prepareEvents } from "./events/events-stream.ts";
import type { Retention } from "./events/retention.ts";
import { Rediscovery } from "./discovery/rediscovery.ts";
import { resolveEntities, type Entity } from "./entities.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import type { ModeStream, ModeStreamOptions } from "./poller/mode-stream.ts";
import { tableStream } from "./poller/table-stream.ts";
import { NO_WAKE, planWake, Wake, wakeTables, type WakePlan } from "./poller/wake.ts";
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
  /** How the polling mode's stream was made: entities found while running get theirs the same way. */
  private readonly modeOptions: ModeStreamOptions;
  /** Without configured entities: looks for new tables while running (discovery/rediscovery.ts). */
  private discovery: Rediscovery | null = null;
  /** `polling.wake`: the doorbell that runs a poll right after rows commit (poller/wake.ts). */
  readonly wake: Wake;
  /** With `cluster.bus`: one replica polls each entity, the others follow it (cluster/cluster.ts). */
  readonly cluster: Cluster | null;

  private constructor(
    readonly config: Config,
    readonly dialect: Dialect,
    readonly entities: Entity[],
    readonly log: Logger,
    private readonly ownsDialect: boolean,
    /** Events mode: each entity's columns, to decode changelog payloads. */
    eventColumns: Map<string, ColumnInfo[]> | null = null,
    wakePlan: WakePlan = NO_WAKE,
    cluster: Cluster | null = null,
  ) {
    this.wake = new Wake(wakePlan, dialect, log);
    this.cluster = cluster;
    cluster?.instrument(this.metrics);
    for (const e of entities) this.stats_.set(e.info.name, new EntityStatsTracker());
    const options: ModeStreamOptions = (this.modeOptions = {
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
      // Clients are told once when their entities' poller loses the database; its rows follow when it answers.
      onOutage: (names, reason) => {
        if (reason) this.hub.notice(names, "database_unavailable", `${reason}; rows written meanwhile follow once the database answers`);
      },
      wake: this.wake,
      ...(cluster ? { pollLoop: cluster.pollLoop } : {}),
    });
    if (eventColumns) {
      const events = eventsStream({ ...options, columns: eventColumns });
      this.retention = events.retention;
      this.stream = events;
    } else this.stream = tableStream(options);
    this.trackMetrics();
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
    const dialect = options.dialect ?? (await openDatabase(config.database.url, { dataDir: config.database.data_dir, queryTimeoutMs: config.polling.query_timeout_ms }));
    let cluster: Cluster | null = null;
    try {
      const discovery = config.entities ? null : new Rediscovery(dialect, log, config.discovery.interval_ms);
      const entities = discovery ? await discovery.initial() : await resolveEntities(dialect, config.entities, options.source);
      if (entities.length === 0) log.warn("no entities to watch: configure `entities` or create a table with a single-column integer primary key");
      const eventColumns = config.polling.mode === "events" ? await prepareEvents(dialect, entities, options.source) : null;
      const wakePlan = await planWake(dialect, config.polling.wake, wakeTables(config.polling.mode, entities.map((e) => e.ref.table)), options.source);
      cluster = await Cluster.open(config, dialect, log, options.source);
      const backend = new Backend(config, dialect, entities, log, !options.dialect, eventColumns, wakePlan, cluster);
      backend.discovery = discovery;
      return backend;
    } catch (e) {
      await cluster?.stop().catch(() => {});
      if (!options.dialect) await dialect.close().catch(() => {});
      throw e;
    }
  }

  private trackMetrics(): void {
    this.metrics.track(this.entities.map((e, i) => ({ entity: e.info.name, lastPollAt: () => this.stream.entityPollers[i]!.lastPollAt })));
  }

  /**
   * Starts watching entities discovered while running (table mode): their pollers, feeds, statistics
   * and metrics series; clients subscribed to every entity receive them too.
   */
  watch(entities: Entity[]): void {
    for (const e of entities) this.stats_.set(e.info.name, new EntityStatsTracker());
    const added = tableStream({ ...this.modeOptions, entities });
    this.entities.push(...entities);
    this.stream.pollers.push(...added.pollers);
    this.stream.feeds.push(...added.feeds);
    // In table mode the entities' pollers are the pollers themselves: one array, pushed to once.
    if (this.stream.entityPollers !== this.stream.pollers) this.stream.entityPollers.push(...added.entityPollers);
    this.trackMetrics();
    for (const p of added.pollers) p.start();
    for (const f of added.feeds) this.hub.add(f);
    for (const e of entities) void this.initialCount(e);
  }

  start(): void {
    if (this.config.server.auth_tokens.length === 0) this.log.warn("server.auth_tokens is empty: the API and WebSocket are open to anyone who can reach this port");
    this.cluster?.start();
    for (const p of this.stream.pollers) p.start();
    if (this.config.polling.mode === "table") this.discovery?.start(this);
    for (const e of this.entities) void this.initialCount(e);
    void this.stream.pollers[0]?.ready.then(() => this.retention?.start());
    this.wake.start();
    this.statsTimer = setInterval(() => this.hub.publishStats(this.stats()), this.config.server.stats_interval_ms);
  }

  /**
   * The total starts from the rows the poller will not count itself. In table mode that is the keys up to
   * its settled start position — counted once it is settled, so a row committed meanwhile is counted
   * once, by the poller; in events mode the changelog counts inserts and deletes from its position on.
   */
  private async initialCount(e: Entity): Promise<void> {
    try {
      const feed = this.hub.feeds.get(e.info.name);
      await feed?.ready;
      const upTo = this.config.polling.mode === "table" ? (feed?.position ?? undefined) : undefined;
      const { count, estimated } = await this.dialect.countRows(e.ref, upTo);
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
        ...(this.cluster ? this.cluster.entityHealth(p) : { role: "poller" as const }),
      };
      if (lag !== null && lag > Math.max(10_000, this.config.polling.interval_ms * 20)) lagging = `entity ${name} has not been polled for ${Math.round(lag / 1000)} s`;
    }
    // A poller whose database step goes unanswered (stall-watch.ts) says so before its deadline.
    const stall = this.stream.pollers.map((p) => p.stall.reason(now)).find((r) => r !== null) ?? null;
    const reason = stall ? `database not answering: ${stall}` : this.databaseError ? `database unreachable: ${this.databaseError}` : lagging;
    const databaseError = stall ?? this.databaseError;
    return {
      status: reason ? "degraded" : "ok",
      ...(reason ? { reason } : {}),
      version: this.version,
      uptime_s: Math.round((now - this.startedAt) / 1000),
      clients: this.hub.sessions.size,
      database: { dialect: this.dialect.name, reachable: databaseError === null, ...(databaseError ? { error: databaseError } : {}) },
      entities,
      wake: this.wake.status(),
      cluster: this.cluster?.health() ?? soloHealth(this.config),
    };
  }

  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.discovery?.stop();
    for (const p of this.stream.pollers) p.stop();
    await this.cluster?.stop();
    this.retention?.stop();
    await this.wake.stop();
    this.hub.closeAll(CloseCode.GoingAway, "server shutting down; reconnect with your cursor");
    if (this.ownsDialect) await this.dialect.close().catch(() => {});
  }
}
