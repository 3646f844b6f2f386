/**
 * `nomnom-live migrate`: creates (or brings up to date) the `db_events` changelog and the triggers of
 * every watched entity in the configured database — or, in table mode with `polling.wake: notify`,
 * the statement-level wake triggers that ring the poller's doorbell on commit (db/pg-wake-sql.ts).
 * Safe to run again: the table and indexes are created if missing, the triggers replaced. The SQL is
 * exactly what `generate` writes for the dialect.
 */
import type { Config, EntityConfig } from "../config/schema.ts";
import { ConfigError } from "../config/errors.ts";
import type { Dialect } from "../db/dialect.ts";
import { postgresWakeStatements } from "../db/pg-wake-sql.ts";
import { resolveEntities, type Entity } from "../entities.ts";
import { changelogStatements, eventsDialectOf, renderChangelogSql, type EventsDialect, type EventsEntity } from "../db/changelog-sql.ts";

/** Entities with their columns as the database describes them (so payload values keep their types). */
export async function introspectEvents(dialect: Dialect, entities: Entity[]): Promise<EventsEntity[]> {
  const out: EventsEntity[] = [];
  for (const e of entities) {
    const columns = await dialect.columns(e.ref.table);
    out.push({ name: e.info.name, table: e.ref.table, key: e.ref.key, columns: columns.map((c) => ({ name: c.name, type: c.type, dbType: c.dbType })) });
  }
  return out;
}

export interface MigrateResult {
  dialect: EventsDialect;
  entities: Entity[];
  /** The script that was run, as `generate` writes it (without its header). */
  sql: string;
  /** The events mode's changelog and its triggers, or table mode's wake triggers. */
  installed: "changelog" | "wake";
}

/** Table mode with `polling.wake: notify` installs the wake triggers; anything else, the changelog. */
export function installsWake(polling: Pick<Config["polling"], "mode" | "wake"> | undefined): boolean {
  return polling?.mode === "table" && polling.wake === "notify";
}

export async function migrate(dialect: Dialect, configured: EntityConfig[] | undefined, source = "configuration", polling?: Pick<Config["polling"], "mode" | "wake">): Promise<MigrateResult> {
  const entities = await resolveEntities(dialect, configured, source);
  const which = eventsDialectOf(dialect.name);
  if (installsWake(polling)) {
    if (which !== "postgres") {
      throw new ConfigError(source, [{ path: "polling.wake", message: `is notify, but ${dialect.name} has no LISTEN/NOTIFY: use auto or none there (rows are read with adaptive polling)` }]);
    }
    const sql = renderChangelogSql(postgresWakeStatements(entities.map((e) => ({ name: e.info.name, table: e.ref.table }))));
    await dialect.execute(sql);
    return { dialect: which, entities, sql, installed: "wake" };
  }
  const sql = renderChangelogSql(changelogStatements(which, await introspectEvents(dialect, entities)));
  await dialect.execute(sql);
  return { dialect: which, entities, sql, installed: "changelog" };
}
