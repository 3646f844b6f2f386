/**
 * `polling.mode: table`: one gap-safe poller per entity over the entity's own table; every new row is an
 * insert of that entity, counted in its statistics and published to its subscribers.
 */
import { TableFeed } from "../stream/feed.ts";
import { localPollLoop, type ModeStream, type ModeStreamOptions } from "./mode-stream.ts";

export function tableStream(o: ModeStreamOptions): ModeStream {
  const pollLoop = o.pollLoop ?? localPollLoop;
  const pollers = o.entities.map((entity) => {
    const stats = o.stats(entity.info.name);
    return pollLoop({
      entity: entity.info.name,
      table: entity.ref,
      dialect: o.dialect,
      intervalMs: o.polling.interval_ms,
      batchSize: o.polling.max_events_per_poll,
      gapTimeoutMs: o.polling.gap_timeout_ms,
      queryTimeoutMs: o.polling.query_timeout_ms,
      log: o.log,
      metrics: o.metrics,
      onRows: (rows, keys, late) => {
        if (late) stats.recordLate(rows.length);
        else stats.record(rows.length, keys[keys.length - 1]!);
        o.publish(entity.info.name, rows.map((data, i) => ({ type: "insert", id: keys[i]!, data, ...(late ? { late: true as const } : {}) })));
      },
      onHealth: o.onHealth,
      onOutage: (reason) => o.onOutage?.([entity.info.name], reason),
    });
  });
  // Rung by the entity's name (its wake trigger's payload) or its table (logical replication).
  for (const [i, entity] of o.entities.entries()) o.wake?.register(pollers[i]!, [entity.info.name], { notify: [entity.ref.table], wal: [entity.ref.table] });
  const feeds = o.entities.map((entity, i) => new TableFeed(entity, pollers[i]!, o.dialect));
  return { pollers, feeds, entityPollers: pollers };
}
