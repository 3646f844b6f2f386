/**
 * Entity names for discovered tables: `order_line_items` → `OrderLineItem`. Two tables can map to one
 * name (`a.orders` and `b.orders`, `order_items` and `OrderItems`); names stay unique, and do so the
 * same way on every start: tables of the default schema are named first, then the others, each in name
 * order. The later table of a clash gets its schema in front (`b.orders` → `BOrder`), or else a
 * number (`OrderItem2`). Names in use (entities already watched) are never taken again, so a table
 * created while the backend runs never renames one that clients already follow.
 */
import { ENTITY_NAME } from "../config/schema.ts";

function pascal(words: string): string {
  return words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** `order_line_items` → `OrderLineItem`; characters an entity name cannot hold are dropped. */
export function entityNameFromTable(table: string): string {
  const base = table.includes(".") ? table.slice(table.indexOf(".") + 1) : table;
  const singular = base.replace(/ies$/i, "y").replace(/(ss)$/i, "$1").replace(/([^s])s$/i, "$1");
  const name = pascal(singular);
  return ENTITY_NAME.test(name) ? name : `T${name}`;
}

export class EntityNames {
  /** Lower-cased: names that differ only in case would confuse people, dashboards and metrics. */
  private readonly taken = new Set<string>();

  constructor(inUse: Iterable<string> = []) {
    for (const n of inUse) this.taken.add(n.toLowerCase());
  }

  /** A unique name for `table`, now taken. */
  assign(table: string): string {
    const base = entityNameFromTable(table);
    const dot = table.indexOf(".");
    const candidates = [base, ...(dot > 0 ? [`${pascal(table.slice(0, dot))}${base}`] : [])];
    let name = candidates.find((c) => !this.taken.has(c.toLowerCase()));
    for (let n = 2; !name; n++) if (!this.taken.has(`${base}${n}`.toLowerCase())) name = `${base}${n}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}

/** The order in which tables are named: the default schema's (unqualified) first, then by name. */
export function namingOrder<T extends { table: string }>(tables: T[]): T[] {
  const qualified = (t: T) => (t.table.includes(".") ? 1 : 0);
  return [...tables].sort((a, b) => qualified(a) - qualified(b) || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}
