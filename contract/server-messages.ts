/**
 * Messages the server sends on `/ws`. Every one is a JSON object with `type` and `timestamp`
 * (ISO-8601, UTC). The row-change fields (`entity`, `event_type`, `data`, `timestamp`, `id`) are the
 * seed designs' exactly, so clients written against them work unchanged.
 */
import type { EntityStatsMap } from "./rest.ts";
import type { ChangeType, Row, RowId } from "./row.ts";

/** One changed row. In table mode only `insert`; `update` and `delete` come from the events mode. */
export interface ChangeMessage {
  type: ChangeType;
  entity: string;
  event_type: ChangeType;
  data: Row;
  timestamp: string;
  /** The stream position: the row key in table mode, the changelog id in events mode. Resume cursors use it. */
  id: RowId;
  /** Events mode only: the key of the changed row. */
  key?: RowId;
  /**
   * A row the stream passed at `polling.gap_timeout_ms` (its transaction still open) that committed
   * since: its `id` is below the stream position. Apply it (in key order) without moving the resume
   * cursor; a client resuming past it does not get it again.
   */
  late?: true;
}

/** Several change messages in one frame, for clients that asked for `batch`. */
export interface BatchMessage {
  type: "batch";
  timestamp: string;
  events: ChangeMessage[];
}

export interface ConnectionAckMessage {
  type: "connection_ack";
  timestamp: string;
  data: {
    server: "nomnom-live";
    version: string;
    protocol: 1;
    /** Every entity this server watches. */
    entities: string[];
    poll_interval_ms: number;
    mode: "table" | "events";
  };
}

/** The latest rows of an entity (at most its `max_records`), oldest first, sent when a subscription starts without a cursor. */
export interface SnapshotMessage {
  type: "snapshot";
  timestamp: string;
  entity: string;
  data: Row[];
  /** Position of the newest row in `data`, or of the stream when it is empty; live rows follow it. */
  last_id: RowId | null;
}

/** Sent once a `subscribe` (or the implicit subscribe-to-all) is in force: snapshots or replays are complete. */
export interface SubscribedMessage {
  type: "subscribed";
  timestamp: string;
  entities: string[];
  /** Per entity, the position after which live rows follow. */
  cursors: Record<string, RowId | null>;
}

export interface StatsUpdateMessage {
  type: "stats_update";
  timestamp: string;
  data: EntityStatsMap;
}

/** The client fell behind its buffer limit; the server is replaying from the database after `resync_from`. */
export interface LaggingMessage {
  type: "lagging";
  timestamp: string;
  message: string;
  resync_from: Record<string, RowId | null>;
}

export type ErrorCode =
  | "invalid_json"
  | "invalid_message"
  | "unknown_entity"
  /** A resume cursor outside the range of the entity's key type (or changelog id): the subscribe is refused. */
  | "invalid_cursor"
  /**
   * A resume cursor ahead of the server's stream (its data was reset, or its newest rows removed): the
   * entity is subscribed as without a cursor — a snapshot from the server's position, or live from it
   * with `snapshot: false` — and the client should drop what it holds past that position.
   */
  | "cursor_ahead"
  /** A frame over `max_message_bytes` (UTF-8 bytes): refused, the connection stays open — unless it is past the hard cap, then closed with 1009. */
  | "message_too_large"
  | "rate_limited"
  | "unauthorized"
  | "database_unavailable"
  | "internal";

export interface ErrorMessage {
  type: "error";
  timestamp: string;
  code: ErrorCode;
  message: string;
  /** The entities the error concerns (unknown_entity, database_unavailable), for clients to act on. */
  entities?: string[];
}

export interface PongMessage {
  type: "pong";
  timestamp: string;
}

export type ServerMessage =
  | ChangeMessage
  | BatchMessage
  | ConnectionAckMessage
  | SnapshotMessage
  | SubscribedMessage
  | StatsUpdateMessage
  | LaggingMessage
  | ErrorMessage
  | PongMessage;

/** WebSocket close codes the server uses (4000–4999 is the application range). */
export const CloseCode = {
  /** Normal shutdown of the server; reconnect with your cursor. */
  GoingAway: 1001,
  /** A frame past the hard cap (the larger of 1 MiB and 4 × max_message_bytes), after a `message_too_large` error. */
  MessageTooBig: 1009,
  /** The client stopped reading and its buffer passed the hard limit; reconnect with your cursor. */
  TooSlow: 4002,
  /** The connection missed heartbeats. */
  HeartbeatTimeout: 4003,
  /** Ticket missing, expired or already used. */
  Unauthorized: 4401,
} as const;
