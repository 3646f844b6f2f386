/**
 * Resolves the watched entities: configured ones are checked against the database's own catalogue
 * (so a table or column name that does not exist there never reaches a query), or, with no entities
 * configured, every table with a single-column integer primary key is discovered.
 */
import type { EntityInfo, FieldInfo } from "../contract/rest.ts";
import type { EntityConfig } from "./config/schema.ts";
import { ConfigError } from "./config/errors.ts";
import { defaultColor, defaultIcon } from "./config/appearance.ts";
import type { Dialect, TableRef } from "./db/dialect.ts";

export interface Entity {
  info: EntityInfo;
  ref: TableRef;
}

/** `order_line_items` → `OrderLineItem`. */
export function entityNameFromTable(table: string): string {
  const base = table.includes(".") ? table.slice(table.indexOf(".") + 1) : table;
  const singular = base.replace(/ies$/i, "y").replace(/(ss)$/i, "$1").replace(/([^s])s$/i, "$1");
  return singular
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

export async function resolveEntities(dialect: Dialect, configured: EntityConfig[] | undefined, source = "configuration"): Promise<Entity[]> {
  const wanted: EntityConfig[] =
    configured ??
    (await dialect.discoverTables()).map((t) => ({ name: entityNameFromTable(t.table), table: t.table, key: t.key, max_records: 500 }));
  const problems: { path: string; message: string }[] = [];
  const entities: Entity[] = [];
  for (const [i, e] of wanted.entries()) {
    const at = `entities[${i}]`;
    const columns = await dialect.columns(e.table);
    if (columns.length === 0) {
      problems.push({ path: `${at}.table`, message: `table "${e.table}" does not exist in the ${dialect.name} database (or has no columns)` });
      continue;
    }
    const byName = new Map(columns.map((c) => [c.name, c]));
    const key = byName.get(e.key);
    if (!key) problems.push({ path: `${at}.key`, message: `column "${e.key}" does not exist in table "${e.table}"` });
    else if (key.type !== "integer") problems.push({ path: `${at}.key`, message: `column "${e.key}" is ${key.dbType}; the key must be an integer column assigned in increasing order` });
    if (e.timestamp) {
      const ts = byName.get(e.timestamp);
      if (!ts) problems.push({ path: `${at}.timestamp`, message: `column "${e.timestamp}" does not exist in table "${e.table}"` });
      else if (ts.type !== "datetime" && ts.type !== "date") problems.push({ path: `${at}.timestamp`, message: `column "${e.timestamp}" is ${ts.dbType}, not a date or time` });
    }
    for (const [j, f] of (e.display_fields ?? []).entries()) {
      if (!byName.has(f)) problems.push({ path: `${at}.display_fields[${j}]`, message: `column "${f}" does not exist in table "${e.table}"` });
    }
    const display = new Set(e.display_fields ?? columns.filter((c) => c.name !== e.key).slice(0, 5).map((c) => c.name));
    const fields: FieldInfo[] = columns.map((c) => ({ name: c.name, type: c.type, display: display.has(c.name) }));
    entities.push({
      info: {
        name: e.name,
        table: e.table,
        color: e.color ?? defaultColor(e.name),
        icon: e.icon ?? defaultIcon(e.name),
        key: e.key,
        timestamp: e.timestamp ?? null,
        fields,
        max_records: e.max_records,
        ...(e.alerts ? { alerts: { min_per_minute: e.alerts.min_per_minute, max_per_minute: e.alerts.max_per_minute } } : {}),
      },
      ref: { table: e.table, key: e.key, timestamp: e.timestamp },
    });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return entities;
}
