/** The events mode's changelog table, as the poller, feeds and retention address it. */
import type { TableRef } from "../db/dialect.ts";

export const EVENTS_TABLE = "db_events";

export const EVENTS_REF: TableRef = { table: EVENTS_TABLE, key: "id", timestamp: "created_at" };
