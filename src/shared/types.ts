/**
 * Shapes the datasource and the panel agree on inside Grafana. The wire types, the query model and the
 * plugin ids come from contract/.
 */
import type { DataQuery, DataSourceJsonData } from "@grafana/data";
import type { EntityInfo, EntityStats, EntityStatsMap, QueryModel, QueryType } from "../../contract/index.ts";

export type { QueryType } from "../../contract/index.ts";

/** The contract's query model as a Grafana query. */
export interface NomnomQuery extends DataQuery, Omit<QueryModel, "refId" | "queryType"> {
  queryType: QueryType;
}

/** What a query without a query type (an older dashboard's) is. */
export const DEFAULT_QUERY_TYPE: QueryType = "live";

export const DEFAULT_QUERY: Partial<NomnomQuery> = { queryType: DEFAULT_QUERY_TYPE };

export interface NomnomOptions extends DataSourceJsonData {
  /** The backend's base URL as Grafana's server reaches it (the data-proxy route targets `<url>/api`). */
  url?: string;
  /** The backend's base URL as the browser reaches it, for the WebSocket; default: `url`. */
  browserUrl?: string;
}

export interface NomnomSecureOptions {
  /** A bearer token from the backend's `server.auth_tokens`. */
  token?: string;
}

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "error";

export interface ConnectionState {
  status: ConnectionStatus;
  /** What went wrong, in words a user can act on (reconnecting, error). */
  message?: string;
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** Date.now() of the last change. */
  since: number;
}

/** One point of an entity's insert trend: the inserts in the minute up to `time` (ms since the epoch). */
export interface TrendPoint {
  time: number;
  perMinute: number;
}

/**
 * The application database as the backend reports it: `/api/health` (degraded, unreachable) and the
 * stream's `database_unavailable` errors. Apart from the connection to the backend, which can be fine
 * while the database is not.
 */
export interface DatabaseState {
  status: "ok" | "unavailable" | "degraded";
  /** What the backend said, for the panel's banner. */
  message?: string;
  /** Date.now() of the last change. */
  since: number;
}

/** What the datasource puts in `frame.meta.custom.nomnom` for the panel (and anyone reading frames). */
export interface NomnomFrameMeta {
  kind: "live" | "history" | "stats" | "rate";
  entity?: Pick<EntityInfo, "name" | "color" | "icon" | "key" | "timestamp" | "max_records" | "alerts"> & {
    display: string[];
    /** Its place in the backend's configuration (the order of `GET /api/entities`), which the panel keeps. */
    position?: number;
  };
  /** Rows frames: the entity's statistics, as the backend sent them (the total counting the rows shown). */
  stats?: EntityStats | null;
  /**
   * Stats frames: each entity's statistics as the backend sent them, which the Entity stream panel reads
   * whole (the frame's fields are shaped for Grafana's own panels and leave out whether a total is estimated).
   */
  statsByEntity?: EntityStatsMap;
  /** Rows frames: inserts per minute over the last minutes, oldest first, from the statistics seen so far. */
  trend?: TrendPoint[];
  /** The database behind the backend, when the datasource knows it (live rows). */
  database?: DatabaseState;
  connection: ConnectionState;
  /**
   * Changes this entity's stream has applied since it started; it only grows, except that a new stream
   * (e.g. after the query was stopped for a while) starts again from 0. The panel counts what arrived
   * while it was paused from it.
   */
  received: number;
}
