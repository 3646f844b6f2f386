/**
 * What a polling mode gives the backend, whichever it is: its polling loops, one feed per entity for the
 * hub, and the poller behind each entity for health and metrics. Table mode (table-stream.ts) polls each
 * entity's own table; events mode (events/events-stream.ts) polls the one `db_events` changelog.
 */
import type { Config } from "../config/schema.ts";
import type { Dialect } from "../db/dialect.ts";
import type { Entity } from "../entities.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { EntityStatsTracker } from "../stats.ts";
import type { Change, EntityFeed } from "../stream/feed.ts";
import type { Poller } from "./poller.ts";

export interface ModeStreamOptions {
  entities: Entity[];
  dialect: Dialect;
  polling: Config["polling"];
  log: Logger;
  metrics: Metrics;
  stats: (entity: string) => EntityStatsTracker;
  publish: (entity: string, changes: Change[]) => void;
  onHealth: (ok: boolean, error?: unknown) => void;
}

export interface ModeStream {
  /** The polling loops to start and stop. */
  pollers: Poller[];
  /** One per entity, in the entities' order. */
  feeds: EntityFeed[];
  /** The poller behind each entity, in the entities' order (in events mode the changelog's, shared). */
  entityPollers: Poller[];
}
