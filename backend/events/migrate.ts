/**
 * `nomnom-live migrate`: creates (or brings up to date) the `db_events` changelog and the triggers of
 * every watched entity in the configured database. Safe to run again: the table and indexes are
 * created if missing, the triggers replaced. The SQL is exactly what `generate` writes for the dialect.
 */
import type { EntityConfig } from "../config/schema.ts";
import type { Dialect } from "../db/dialect.ts";
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
}

export async function migrate(dialect: Dialect, configured: EntityConfig[] | undefined, source = "configuration"): Promise<MigrateResult> {
  const entities = await resolveEntities(dialect, configured, source);
  const which = eventsDialectOf(dialect.name);
  const sql = renderChangelogSql(changelogStatements(which, await introspectEvents(dialect, entities)));
  await dialect.execute(sql);
  return { dialect: which, entities, sql };
}
