/**
 * Resolves the watched entities: configured ones are checked against the database's own catalogue
 * (so a table or column name that does not exist there never reaches a query), or, with no entities
 * configured, every table with a single-column integer primary key is discovered — with one log line
 * per table saying what it became, or why it is not watched.
 */
import type { EntityInfo, FieldInfo } from "../contract/rest.ts";
import type { EntityConfig } from "./config/schema.ts";
import { ConfigError } from "./config/errors.ts";
import { defaultColor, defaultIcon } from "./config/appearance.ts";
import type { ColumnInfo, Dialect, TableRef } from "./db/dialect.ts";
import { skipReason } from "./db/table-listing.ts";
import { EntityNames, namingOrder } from "./discovery/entity-names.ts";
import { timestampColumn } from "./discovery/timestamp-column.ts";
import type { Logger } from "./log.ts";

export { entityNameFromTable } from "./discovery/entity-names.ts";

export interface Entity {
  info: EntityInfo;
  ref: TableRef;
}

/** An entity as the API describes it and the dialect addresses it, from its (checked) configuration and its table's columns. */
function entityFrom(e: EntityConfig, columns: ColumnInfo[]): Entity {
  const key = columns.find((c) => c.name === e.key);
  const display = new Set(e.display_fields ?? columns.filter((c) => c.name !== e.key).slice(0, 5).map((c) => c.name));
  const fields: FieldInfo[] = columns.map((c) => ({ name: c.name, type: c.type, display: display.has(c.name) }));
  return {
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
    ref: { table: e.table, key: e.key, timestamp: e.timestamp, ...(key?.range ? { keyRange: key.range } : {}) },
  };
}

export async function resolveEntities(dialect: Dialect, configured: EntityConfig[] | undefined, source = "configuration", log?: Logger): Promise<Entity[]> {
  if (!configured) return discoverEntities(dialect, { log });
  const problems: { path: string; message: string }[] = [];
  const entities: Entity[] = [];
  for (const [i, e] of configured.entries()) {
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
    entities.push(entityFrom(e, columns));
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return entities;
}

export interface DiscoveryOptions {
  /** Tables already watched: left as they are. */
  watched?: ReadonlySet<string>;
  /** Entity names in use: new entities never take them. */
  names?: Iterable<string>;
  log?: Logger;
  /**
   * What was last logged per table (rediscovery passes the same map every time, so a table that stays
   * unwatchable is logged once, not once a minute). Updated in place.
   */
  reported?: Map<string, string>;
}

/** The tables of the database that can be watched, as entities; the others logged with the reason. */
export async function discoverEntities(dialect: Dialect, options: DiscoveryOptions = {}): Promise<Entity[]> {
  const { log, watched, reported = new Map<string, string>() } = options;
  const report = (table: string, line: string) => {
    if (reported.get(table) === line) return;
    reported.set(table, line);
    log?.info(line);
  };
  const names = new EntityNames(options.names);
  const out: Entity[] = [];
  for (const t of namingOrder(await dialect.listTables())) {
    if (watched?.has(t.table)) continue;
    const reason = skipReason(t);
    if (reason) {
      report(t.table, `not watching table ${t.table}: ${reason}`);
      continue;
    }
    const columns = await dialect.columns(t.table);
    if (columns.length === 0) continue; // dropped since it was listed
    const key = t.primaryKey[0]!.name;
    const timestamp = timestampColumn(columns);
    const name = names.assign(t.table);
    out.push(entityFrom({ name, table: t.table, key, timestamp, max_records: 500 }, columns));
    report(t.table, `watching table ${t.table} as ${name}: key ${key}, ${timestamp ? `timestamp ${timestamp}` : "no timestamp column (history by time range unavailable)"}`);
  }
  return out;
}
