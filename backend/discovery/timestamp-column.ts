/**
 * The insert-time column of a discovered table, for history by time range: a timestamp column
 * (timestamp, timestamptz, datetime) named as an insert time usually is. An `updated_at` is never
 * taken: it moves when the row changes, so a time range over it would not be the rows inserted then.
 */
import type { ColumnInfo } from "../db/dialect.ts";

/** Preferred names, best first, compared without case, `_` or `-`. */
export const TIMESTAMP_NAMES = [
  "created_at",
  "inserted_at",
  "created",
  "created_on",
  "creation_time",
  "created_time",
  "create_time",
  "inserted",
  "insert_time",
  "timestamp",
  "ts",
  "event_time",
  "occurred_at",
  "recorded_at",
  "logged_at",
  "time",
];

const plain = (name: string) => name.toLowerCase().replace(/[_-]/g, "");

export function timestampColumn(columns: readonly ColumnInfo[]): string | undefined {
  const times = columns.filter((c) => c.type === "datetime");
  for (const preferred of TIMESTAMP_NAMES) {
    const found = times.find((c) => plain(c.name) === plain(preferred));
    if (found) return found.name;
  }
  // Otherwise one whose name still says creation or insertion (`order_created`, `insertedOn`).
  return times.find((c) => /creat|insert/i.test(c.name))?.name;
}
