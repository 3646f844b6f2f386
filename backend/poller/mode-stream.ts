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
import { Poller, type PollerOptions } from "./poller.ts";
import type { StallWatch } from "./stall-watch.ts";
import type { Wake, Wakeable } from "./wake.ts";

/**
 * One polling loop as the backend, the feeds and the doorbell use it: a Poller — or, with
 * `cluster.bus`, an elected one (cluster/elected-poller.ts) that polls when its replica holds the
 * loop's lock and otherwise follows the replica that does.
 */
export interface PollLoop extends Wakeable {
  /** Resolves once the start position is settled. */
  readonly ready: Promise<void>;
  /** Every key up to this one is delivered or will never exist. */
  readonly position: bigint | null;
  readonly lastPollAt: number | null;
  readonly waitingOnGap: { after: bigint; since: number } | null;
  readonly stall: Pick<StallWatch, "reason">;
  isPassed(key: bigint): boolean;
  start(): void;
  stop(): void;
}

/** A loop of this process alone: the Poller itself. */
export const localPollLoop = (o: PollerOptions): PollLoop => new Poller(o);

export interface ModeStreamOptions {
  entities: Entity[];
  dialect: Dialect;
  polling: Config["polling"];
  log: Logger;
  metrics: Metrics;
  stats: (entity: string) => EntityStatsTracker;
  publish: (entity: string, changes: Change[]) => void;
  onHealth: (ok: boolean, error?: unknown) => void;
  /** A poller's database stopped answering (with why) or answers again (null): its entities' clients are told. */
  onOutage?: (entities: string[], reason: string | null) => void;
  /** The doorbell, shared by every poller (each registers what rings it); absent: polling alone. */
  wake?: Wake;
  /** Makes each polling loop; absent: a Poller (localPollLoop). With `cluster.bus`, the cluster's elected loops. */
  pollLoop?: (o: PollerOptions) => PollLoop;
}

export interface ModeStream {
  /** The polling loops to start and stop. */
  pollers: PollLoop[];
  /** One per entity, in the entities' order. */
  feeds: EntityFeed[];
  /** The poller behind each entity, in the entities' order (in events mode the changelog's, shared). */
  entityPollers: PollLoop[];
}
