/**
 * `polling.mode: events`: one gap-safe poller over the `db_events` changelog, whose rows are sorted out
 * to their entities' feeds, statistics and subscribers, and kept bounded by its retention. Checked at
 * start: the changelog must exist (created by `nomnom-live migrate`).
 */
import { ConfigError } from "../config/errors.ts";
import type { ColumnInfo, Dialect } from "../db/dialect.ts";
import type { Entity } from "../entities.ts";
import { localPollLoop, type ModeStream, type ModeStreamOptions } from "../poller/mode-stream.ts";
import type { Change } from "../stream/feed.ts";
import { EVENTS_REF, EVENTS_TABLE } from "./changelog.ts";
import { EventsFeed } from "./events-feed.ts";
import { Retention } from "./retention.ts";

/** The columns of every entity (to decode payloads), after checking that the changelog exists. */
export async function prepareEvents(dialect: Dialect, entities: Entity[], source = "configuration"): Promise<Map<string, ColumnInfo[]>> {
  const changelog = await dialect.columns(EVENTS_TABLE);
  if (changelog.length === 0) {
    throw new ConfigError(source, [
      {
        path: "polling.mode",
        message: `is events, but the ${dialect.name} database has no ${EVENTS_TABLE} table; create it and the triggers with \`nomnom-live migrate --config <this file>\``,
      },
    ]);
  }
  const out = new Map<string, ColumnInfo[]>();
  for (const e of entities) out.set(e.info.name, await dialect.columns(e.ref.table));
  return out;
}

export interface EventsStreamOptions extends ModeStreamOptions {
  /** Each entity's columns, to decode changelog payloads. */
  columns: Map<string, ColumnInfo[]>;
}

export interface EventsStream extends ModeStream {
  /** Keeps the changelog bounded; started once the changelog's poller is ready. */
  retention: Retention;
}

export function eventsStream(o: EventsStreamOptions): EventsStream {
  const byName = new Map<string, EventsFeed>();
  const poller = (o.pollLoop ?? localPollLoop)({
    entity: EVENTS_TABLE,
    table: EVENTS_REF,
    dialect: o.dialect,
    intervalMs: o.polling.interval_ms,
    batchSize: o.polling.max_events_per_poll,
    gapTimeoutMs: o.polling.gap_timeout_ms,
    queryTimeoutMs: o.polling.query_timeout_ms,
    log: o.log,
    metrics: o.metrics,
    onRows: (rows, _keys, late) => {
      // Per entity, in changelog order; events of entities not watched (any more) are passed over.
      const grouped = new Map<string, Change[]>();
      for (const row of rows) {
        const feed = byName.get(String(row.entity));
        if (!feed) continue;
        const change = late ? { ...feed.toChange(row), late: true as const } : feed.toChange(row);
        const list = grouped.get(feed.entity.info.name);
        if (list) list.push(change);
        else grouped.set(feed.entity.info.name, [change]);
      }
      for (const [name, changes] of grouped) {
        const stats = o.stats(name);
        const inserts = changes.filter((c) => c.type === "insert").length;
        const deletes = changes.filter((c) => c.type === "delete").length;
        if (inserts > 0) {
          // A late change is below the position: it counts, but does not move the entity's last id.
          if (late) stats.recordLate(inserts);
          else stats.record(inserts, changes[changes.length - 1]!.id);
          o.metrics.rowsSeen.inc({ entity: name }, inserts);
        }
        stats.total = Math.max(0, stats.total - deletes);
        o.publish(name, changes);
      }
    },
    onHealth: o.onHealth,
    onOutage: (reason) => o.onOutage?.(o.entities.map((e) => e.info.name), reason),
  });
  // Rung by any entity's changelog trigger (its payload is the entity's name), or by the changelog's replication.
  o.wake?.register(poller, o.entities.map((e) => e.info.name), { notify: o.entities.map((e) => e.ref.table), wal: [EVENTS_TABLE] });
  const feeds = o.entities.map((e) => {
    const feed = new EventsFeed(e, poller, o.dialect, o.columns.get(e.info.name) ?? []);
    byName.set(e.info.name, feed);
    return feed;
  });
  const retention = new Retention({ dialect: o.dialect, days: o.polling.cleanup_after_days, position: () => poller.position, log: o.log });
  return { pollers: [poller], feeds, entityPollers: o.entities.map(() => poller), retention };
}
