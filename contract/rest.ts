/** Response bodies of the REST API. Errors are always `{ error: { code, message } }` with a 4xx/5xx status. */
import type { Row, RowId } from "./row.ts";

export type FieldType = "integer" | "float" | "decimal" | "string" | "boolean" | "datetime" | "date" | "json";

export interface FieldInfo {
  name: string;
  type: FieldType;
  /** Shown in the entity's live table. */
  display: boolean;
}

/** `GET /api/entities` returns `EntityInfo[]`. */
export interface EntityInfo {
  name: string;
  table: string;
  color: string;
  icon: string;
  /** The monotonically assigned integer key column. */
  key: string;
  /** The column holding the insert time, if configured. */
  timestamp: string | null;
  fields: FieldInfo[];
  max_records: number;
  alerts?: { min_per_minute?: number; max_per_minute?: number };
}

export interface EntityStats {
  /** Seed name for the row count. */
  total: number;
  /** True when `total` started from the planner's estimate (large tables are never `COUNT(*)`ed per request). */
  total_estimated: boolean;
  inserts_last_minute: number;
  inserts_last_5_minutes: number;
  /** Inserts per second over the last 10 seconds. */
  rate_per_second: number;
  last_id: RowId | null;
  last_insert_at: string | null;
}

/** `GET /api/stats` and `stats_update.data`: keyed by entity name (the seed shape, `{Order: {total}}`). */
export type EntityStatsMap = Record<string, EntityStats>;

export interface EntityHealth {
  last_id: RowId | null;
  /** Milliseconds since the last successful poll of this entity. */
  poll_lag_ms: number | null;
  /** Set while the cursor waits for an open transaction that may still commit a lower id. */
  waiting_on_gap?: { after_id: RowId; since: string };
  /** With `cluster.bus`: this replica polls the entity from the database (it holds its lock), or follows the replica that does. */
  role?: "poller" | "follower";
  /** With `cluster.bus`: the replica that polls the entity, as this one last heard. */
  poller?: string;
  /** A follower's source: the bus, or — while the poller is not heard — the database, read by this replica itself. */
  follows?: "bus" | "database";
}

/** With `cluster.bus`: this replica in its cluster. */
export interface ClusterHealth {
  /** `cluster.name`. */
  name: string;
  replica: string;
  /** The bus connection; `off` without `cluster.bus`. */
  bus: "connected" | "down" | "off";
  bus_error?: string;
  /** The longest time the last message from an entity's poller took to reach this replica; null when it follows none. */
  follower_lag_ms: number | null;
}

/** What runs a poll right after rows commit (`polling.wake`): a doorbell, or none (adaptive polling alone). */
export interface WakeHealth {
  /** As configured: auto, notify, wal or none. */
  setting: "auto" | "notify" | "wal" | "none";
  /** What `auto` chose, or the setting itself. */
  active: "notify" | "wal" | "none";
  /** The doorbell's connection listens now (true for none). While it does not, polling goes on without it. */
  connected: boolean;
  /** Why this one, or what is missing for a better one. */
  reason?: string;
  /** Times the doorbell's connection dropped since start (each was reconnected; no row is lost by a drop). */
  drops: number;
  last_error?: string;
}

/** `GET /api/health`. Status 200 when `ok`, 503 when `degraded`. */
export interface HealthResponse {
  status: "ok" | "degraded";
  reason?: string;
  version: string;
  uptime_s: number;
  clients: number;
  database: { dialect: string; reachable: boolean; error?: string };
  entities: Record<string, EntityHealth>;
  wake?: WakeHealth;
  cluster?: ClusterHealth;
}

/** The query parameters of `GET /api/entities/:name/records` (ids as numbers or decimal strings, times ISO-8601). */
export interface RecordsQuery {
  /** Rows with a key above this one, oldest first (paging forward). */
  after_id?: RowId;
  /** Rows with a key below this one (paging back). */
  before_id?: RowId;
  /** Time range on the entity's timestamp column, inclusive. */
  from?: string;
  to?: string;
  /** 1–10,000; default 100. */
  limit?: number;
}

/** `GET /api/entities/:name/records`. Rows ascend by key and never pass the stream position `cursor`. */
export interface RecordsResponse {
  entity: string;
  records: Row[];
  /** Subscribe with `{[entity]: cursor}` to continue live from the end of this history without gap or duplicate. */
  cursor: RowId | null;
  has_more: boolean;
}

/** `POST /api/ws-ticket`. */
export interface TicketResponse {
  ticket: string;
  expires_in_s: number;
}

export interface ErrorBody {
  error: { code: string; message: string };
}
