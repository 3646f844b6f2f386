/** The YAML configuration, as a zod schema. Defaults live here so every consumer sees the same values. */
import { z } from "zod";

/** A SQL identifier as configuration accepts it (`init` leaves out tables and columns named otherwise). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** A SQL identifier as it may appear in configuration: it is always quoted by the driver, but we refuse oddities early. */
const identifier = z.string().min(1).max(63).regex(IDENTIFIER, "must be a plain SQL identifier (letters, digits, _; optionally schema.table)");

/** An entity name: what clients subscribe to and what metrics are labelled with. */
export const ENTITY_NAME = /^[A-Za-z][A-Za-z0-9_ -]*$/;

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #3b82f6");

export const alertsSchema = z
  .strictObject({
    min_per_minute: z.number().nonnegative().optional(),
    max_per_minute: z.number().positive().optional(),
    /** How long the condition must hold before the alert fires (Prometheus `for`). */
    for: z.string().regex(/^\d+[smh]$/, "must be a duration like 2m").optional(),
  })
  .refine((a) => a.min_per_minute === undefined || a.max_per_minute === undefined || a.min_per_minute < a.max_per_minute, {
    message: "min_per_minute must be below max_per_minute",
  });

export const entitySchema = z.strictObject({
  name: z.string().min(1).max(100).regex(ENTITY_NAME, "must start with a letter and hold only letters, digits, _, - and spaces"),
  table: identifier,
  key: identifier.default("id"),
  timestamp: identifier.optional(),
  color: hexColor.optional(),
  icon: z.string().min(1).max(16).optional(),
  display_fields: z.array(identifier).max(50).optional(),
  max_records: z.number().int().min(1).max(100_000).default(500),
  alerts: alertsSchema.optional(),
});

export const configSchema = z.strictObject({
  database: z
    .strictObject({
      /** postgres://, postgresql://, mysql://, mariadb://; absent → embedded PGlite (in memory, or at `data_dir`). */
      url: z.string().optional(),
      data_dir: z.string().optional(),
    })
    .default({}),
  polling: z
    .strictObject({
      interval_ms: z.number().int().min(100).max(5000).default(500),
      max_events_per_poll: z.number().int().min(1).max(10_000).default(100),
      mode: z.enum(["table", "events"]).default("table"),
      /** A key gap (an id allocated but not visible) is skipped once every transaction open when it was seen has ended; this bounds the wait on a transaction that never ends. */
      gap_timeout_ms: z.number().int().min(1000).max(3_600_000).default(60_000),
      /** Events mode: delete changelog rows older than this. */
      cleanup_after_days: z.number().int().min(1).max(3650).default(7),
      /** What runs a poll right after rows commit (poller/wake.ts): LISTEN/NOTIFY, logical replication, or none (adaptive polling alone); auto: the best available. */
      wake: z.enum(["auto", "notify", "wal", "none"]).default("auto"),
      /**
       * Every statement's deadline: the server cancels it after this long, and a connection that has not
       * answered a little later (at most 2 s) is abandoned and replaced; polling resumes from its cursor.
       */
      query_timeout_ms: z.number().int().min(500).max(600_000).default(10_000),
    })
    .default({ interval_ms: 500, max_events_per_poll: 100, mode: "table", gap_timeout_ms: 60_000, cleanup_after_days: 7, wake: "auto", query_timeout_ms: 10_000 }),
  server: z
    .strictObject({
      host: z.string().default("0.0.0.0"),
      port: z.number().int().min(0).max(65535).default(8080),
      cors_origins: z.array(z.string()).default(["http://localhost:3000"]),
      auth_tokens: z.array(z.string().min(16, "tokens must be at least 16 characters")).default([]),
      max_connections: z.number().int().min(1).default(10_000),
      max_connections_per_ip: z.number().int().min(1).default(1_000),
      max_message_bytes: z.number().int().min(256).max(1_048_576).default(16_384),
      /** REST requests per minute per address. */
      rate_limit_per_minute: z.number().int().min(1).default(6_000),
      /** Bytes queued for one client before it is considered lagging and resynchronised from the database. */
      client_buffer_bytes: z.number().int().min(16_384).default(4 * 1024 * 1024),
      /** All clients' queued bytes together: with many clients each gets this divided by their number (never above client_buffer_bytes). */
      total_buffer_bytes: z.number().int().min(1_048_576).default(256 * 1024 * 1024),
      stats_interval_ms: z.number().int().min(100).default(5_000),
      heartbeat_ms: z.number().int().min(100).default(30_000),
      /** Signs WebSocket tickets (http/tickets.ts): the same on every replica, so any replica takes any replica's ticket; absent: random per process. */
      ticket_secret: z.string().min(16, "must be at least 16 characters").optional(),
    })
    .default({
      host: "0.0.0.0",
      port: 8080,
      cors_origins: ["http://localhost:3000"],
      auth_tokens: [],
      max_connections: 10_000,
      max_connections_per_ip: 1_000,
      max_message_bytes: 16_384,
      rate_limit_per_minute: 6_000,
      client_buffer_bytes: 4 * 1024 * 1024,
      total_buffer_bytes: 256 * 1024 * 1024,
      stats_interval_ms: 5_000,
      heartbeat_ms: 30_000,
    }),
  /** Absent → every table with a single-column integer primary key is discovered. */
  entities: z.array(entitySchema).optional(),
  /** A directory of nomnom entity files (relative to this file). Used when `entities` is absent. */
  entities_dir: z.string().optional(),
  /** Without `entities` (and `entities_dir`): how often to look for new tables to watch (0: only at start). */
  discovery: z
    .strictObject({
      interval_ms: z
        .number()
        .int()
        .min(0)
        .max(86_400_000)
        .refine((ms) => ms === 0 || ms >= 1000, "must be 0 (off) or at least 1000")
        .default(60_000),
    })
    .default({ interval_ms: 60_000 }),
  /** Several replicas of one deployment (cluster/): with `bus`, one replica polls each entity and the others follow it over NATS. */
  cluster: z
    .strictObject({
      /** nats://host:4222 (several: comma-separated); absent → every replica polls on its own. */
      bus: z.string().regex(/^(nats|tls):\/\/\S+$/, "must be a NATS URL like nats://127.0.0.1:4222").optional(),
      /** Names the deployment: its bus subjects and its database locks. Replicas that share it share the work. */
      name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must hold only letters, digits, _ and -").default("nomnom-live"),
      /** This replica's name in health and metrics; default: the host name (a pod's or container's name), with the process id outside containers. */
      replica: z.string().min(1).max(128).optional(),
    })
    .default({ name: "nomnom-live" }),
  /**
   * Seed 001's switches of the live panel, all on when absent. The generated dashboard carries them:
   * `statistics`, `export_csv`, `filters` and `auto_scroll` as the Entity stream panel's options,
   * `dark_mode` as the dashboard's links to its dark and light theme.
   */
  features: z
    .strictObject({
      auto_scroll: z.boolean().optional(),
      dark_mode: z.boolean().optional(),
      export_csv: z.boolean().optional(),
      statistics: z.boolean().optional(),
      filters: z.boolean().optional(),
    })
    .optional(),
  demo: z
    .strictObject({
      orders_per_second: z.number().min(0).max(100_000).default(5),
      lines_per_order: z.number().int().min(0).max(50).default(3),
    })
    .default({ orders_per_second: 5, lines_per_order: 3 }),
});

export type Config = z.infer<typeof configSchema>;
export type EntityConfig = z.infer<typeof entitySchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
