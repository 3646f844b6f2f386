/**
 * Where things are: the REST paths, the WebSocket path and its query parameters. The backend mounts
 * its routes with these; the plugin, the preview and the tests build their URLs with them.
 */

/** Every REST path below is relative to this prefix. */
export const API_PREFIX = "/api";

export const REST = {
  health: "/health",
  entities: "/entities",
  stats: "/stats",
  /** `GET` with `RecordsQuery`; `:name` is the entity name. */
  records: "/entities/:name/records",
  wsTicket: "/ws-ticket",
} as const;

/** The records path of one entity, relative to `API_PREFIX`. */
export function recordsPath(entity: string): string {
  return REST.records.replace(":name", encodeURIComponent(entity));
}

/** Prometheus text format (behind the bearer token when tokens are set). */
export const METRICS_PATH = "/metrics";

export const WS_PATH = "/ws";

/** Query parameters of `WS_PATH`. */
export const WS_PARAM = {
  /** A single-use ticket from `POST /api/ws-ticket` (browsers cannot send an Authorization header). */
  ticket: "ticket",
  /** `1` (or `true`): batched frames, one per poll. */
  batch: "batch",
  /** `manual`: wait for a `subscribe` message instead of being subscribed to every entity at once. */
  subscribe: "subscribe",
} as const;

export const SUBSCRIBE_MANUAL = "manual";

export interface WsOptions {
  ticket?: string;
  batch?: boolean;
  /** Subscribe with a `subscribe` message rather than to every entity at once. */
  manual?: boolean;
}

/** The query parameters of a WebSocket URL, as a record for `URLSearchParams`. */
export function wsQuery(o: WsOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (o.ticket !== undefined) q[WS_PARAM.ticket] = o.ticket;
  if (o.batch) q[WS_PARAM.batch] = "1";
  if (o.manual) q[WS_PARAM.subscribe] = SUBSCRIBE_MANUAL;
  return q;
}

/** The server's reading of a WebSocket URL's query parameters. */
export function parseWsQuery(get: (name: string) => string | undefined): Required<Omit<WsOptions, "ticket">> & Pick<WsOptions, "ticket"> {
  const ticket = get(WS_PARAM.ticket);
  return {
    ...(ticket !== undefined ? { ticket } : {}),
    batch: ["1", "true"].includes(get(WS_PARAM.batch) ?? ""),
    manual: get(WS_PARAM.subscribe) === SUBSCRIBE_MANUAL,
  };
}
