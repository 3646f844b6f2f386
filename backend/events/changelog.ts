/** The events mode's changelog table, as the poller, feeds and retention address it. */
import { EVENTS_TABLE } from "../db/changelog-table.ts";
import type { TableRef } from "../db/dialect.ts";

export { EVENTS_TABLE };

export const EVENTS_REF: TableRef = { table: EVENTS_TABLE, key: "id", timestamp: "created_at" };
