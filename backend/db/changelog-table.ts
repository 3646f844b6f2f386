/** The names of the events mode's changelog and of the objects that fill it, shared by every dialect's DDL. */
import { createHash } from "node:crypto";

export const EVENTS_TABLE = "db_events";

/** A trigger or function name derived from the table, within the 63-character identifier limit. */
export function objectName(prefix: string, table: string, suffix = ""): string {
  const base = table.replace(/\./g, "__");
  const name = `${prefix}${base}${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash("sha256").update(table).digest("hex").slice(0, 8);
  return `${prefix}${base.slice(0, 63 - prefix.length - suffix.length - 9)}_${hash}${suffix}`;
}
