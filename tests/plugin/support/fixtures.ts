/** Frames as the datasource makes them (its own frame builders), for the panel's render tests. */
import { LoadingState, type DataFrame, type PanelData, dateTime } from "@grafana/data";
import type { EntityInfo, EntityStats, EntityStatsMap } from "../../../contract/index.ts";
import { entityMeta, rowsFrame, selectedFields, statsFrame } from "../../../src/datasource/frames.ts";
import type { ConnectionState } from "../../../src/shared/types.ts";

export const ORDER: EntityInfo = {
  name: "Order",
  table: "orders",
  color: "#3b82f6",
  icon: "📦",
  key: "id",
  timestamp: "created_at",
  max_records: 500,
  fields: [
    { name: "id", type: "integer", display: false },
    { name: "order_key", type: "string", display: true },
    { name: "total", type: "decimal", display: true },
    { name: "created_at", type: "datetime", display: false },
  ],
};

export const LINE: EntityInfo = {
  name: "OrderLineItem",
  table: "order_line_items",
  color: "#8b5cf6",
  icon: "🧾",
  key: "id",
  timestamp: null,
  max_records: 500,
  fields: [
    { name: "id", type: "integer", display: true },
    { name: "order_key", type: "string", display: true },
    { name: "qty", type: "integer", display: true },
  ],
};

export const CONNECTED: ConnectionState = { status: "connected", attempt: 0, since: 0 };

export function stats(total: number): EntityStats {
  return { total, total_estimated: false, inserts_last_minute: 12, inserts_last_5_minutes: 40, rate_per_second: 0.5, last_id: total, last_insert_at: null };
}

function orderRows(from: number, to: number) {
  const rows = [];
  for (let i = from; i <= to; i++) rows.push({ id: i, data: { id: i, order_key: `O-${i}`, total: `${i}.50`, created_at: "2026-11-24T12:00:00.000Z" } });
  return rows;
}

export function orderFrame(from: number, to: number, connection: ConnectionState = CONNECTED, received = to - from + 1): DataFrame {
  return rowsFrame(ORDER, orderRows(from, to), "A", selectedFields(ORDER), { kind: "live", entity: entityMeta(ORDER), stats: stats(to), connection, received });
}

/** Orders as a History query's frame: no statistics of its own. */
export function orderHistoryFrame(from: number, to: number): DataFrame {
  return rowsFrame(ORDER, orderRows(from, to), "H", selectedFields(ORDER), { kind: "history", entity: entityMeta(ORDER), connection: CONNECTED, received: 0 });
}

/** A Stats query's frame of these statistics. */
export function statsQueryFrame(sent: EntityStatsMap): DataFrame {
  return statsFrame(sent, Object.keys(sent), "S", { kind: "stats", connection: CONNECTED, received: 0 });
}

export function lineFrame(count: number, connection: ConnectionState = CONNECTED): DataFrame {
  const rows = Array.from({ length: count }, (_, i) => ({ id: i + 1, data: { id: i + 1, order_key: `O-${i + 1}`, qty: i + 2 } }));
  return rowsFrame(LINE, rows, "B", selectedFields(LINE), { kind: "live", entity: entityMeta(LINE), stats: stats(count), connection, received: count });
}

export function panelData(series: DataFrame[], state = LoadingState.Streaming): PanelData {
  const to = dateTime();
  return { state, series, timeRange: { from: dateTime(to.valueOf() - 900_000), to, raw: { from: "now-15m", to: "now" } } };
}
