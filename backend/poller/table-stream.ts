/**
 * `polling.mode: table`: one gap-safe poller per entity over the entity's own table; every new row is an
 * insert of that entity, counted in its statistics and published to its subscribers.
 */
import { TableFeed } from "../stream/feed.ts";
import type { ModeStream, ModeStreamOptions } from "./mode-stream.ts";
import { Poller } from "./poller.ts";

export function tableStream(o: ModeStreamOptions): ModeStream {
  const pollers = o.entities.map((entity) => {
    const stats = o.stats(entity.info.name);
    return new Poller({
      entity: entity.info.name,
      table: entity.ref,
      dialect: o.dialect,
      intervalMs: o.polling.interval_ms,
      batchSize: o.polling.max_events_per_poll,
      gapTimeoutMs: o.polling.gap_timeout_ms,
      log: o.log,
      metrics: o.metrics,
      onRows: (rows, keys) => {
        stats.record(rows.length, keys[keys.length - 1]!);
        o.publish(entity.info.name, rows.map((data, i) => ({ type: "insert", id: keys[i]!, data })));
      },
      onHealth: o.onHealth,
    });
  });
  const feeds = o.entities.map((entity, i) => new TableFeed(entity, pollers[i]!, o.dialect));
  return { pollers, feeds, entityPollers: pollers };
}
