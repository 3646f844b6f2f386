/**
 * Which tables zero-configuration discovery watches, and why it leaves the others: a table is watched
 * when its primary key is one integer column (assigned in increasing order by serial, identity or
 * auto-increment — the only key a cursor can follow). The events mode's changelog is never an entity.
 */
import { EVENTS_TABLE } from "./changelog-table.ts";
import type { DiscoveredTable, TableListing } from "./dialect.ts";

/** Why `t` cannot be watched, or null when it can. */
export function skipReason(t: TableListing): string | null {
  const name = t.table.slice(t.table.indexOf(".") + 1);
  if (name === EVENTS_TABLE) return "it is the events mode's changelog, not an entity";
  const key = t.primaryKey;
  if (key.length === 0) return "it has no primary key (a single integer key column is needed)";
  if (key.length > 1) return `its primary key is composite (${key.map((c) => c.name).join(", ")}); a single integer key column is needed`;
  const [column] = key as [(typeof key)[0]];
  if (column.type !== "integer") return `its primary key ${column.name} is ${column.dbType}, not an integer`;
  return null;
}

/** The watchable tables of a listing. */
export function watchableTables(listing: TableListing[]): DiscoveredTable[] {
  return listing.filter((t) => skipReason(t) === null).map((t) => ({ table: t.table, key: t.primaryKey[0]!.name, keyType: "integer" as const }));
}

/** Code-point order of table names, the same on every server and collation. */
export function byTableName(a: TableListing, b: TableListing): number {
  return a.table < b.table ? -1 : a.table > b.table ? 1 : 0;
}
