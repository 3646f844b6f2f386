/**
 * The events mode's SQL: the `db_events` changelog table and, per watched entity, the trigger(s) that
 * log every insert, update and delete into it. One statement list per dialect (pg-changelog-sql.ts,
 * mysql-changelog-sql.ts); `migrate` runs it and `generate` writes it to a file, so the two never differ.
 * Pure statement builders: `generate` writes the SQL without a connection.
 *
 * Payloads keep every value exact — numbers as their own text (a 64-bit integer or a decimal would lose
 * digits in a JavaScript number), times as ISO-8601 UTC — and the backend turns the text back into the
 * types table mode gives (events/payload.ts). Identifiers are quoted by the drivers' escaping; entity
 * names are validated by the configuration schema and written as escaped string literals.
 */
import type { FieldType } from "../../contract/rest.ts";
import { mysqlChangelogStatements } from "./mysql-changelog-sql.ts";
import { postgresChangelogStatements } from "./pg-changelog-sql.ts";

export type EventsDialect = "postgres" | "mysql" | "mariadb";

/** The dialect whose SQL a database speaks (PGlite is PostgreSQL). */
export function eventsDialectOf(name: "postgres" | "pglite" | "mysql" | "mariadb"): EventsDialect {
  return name === "pglite" ? "postgres" : name;
}

export interface EventsColumn {
  name: string;
  /** Absent when the columns come from the configuration rather than the database. */
  type?: FieldType;
  dbType?: string;
}

export interface EventsEntity {
  name: string;
  table: string;
  key: string;
  columns: EventsColumn[];
}

/** The statements that create the changelog and its triggers; every one is safe to run again. */
export function changelogStatements(dialect: EventsDialect, entities: EventsEntity[]): string[] {
  return dialect === "postgres" ? postgresChangelogStatements(entities) : mysqlChangelogStatements(dialect, entities);
}

/**
 * The statements as one script, each ending with `;`, for `migrate` (which sends it as one request: on
 * PostgreSQL one implicit transaction) and for the database's own client (psql, mysql, mariadb).
 * Triggers are replaced in place (CREATE OR REPLACE), so no write goes unlogged while they change.
 */
export function renderChangelogSql(statements: string[], header: string[] = []): string {
  const comments = header.map((l) => (l ? `-- ${l}` : "--"));
  return [...comments, ...(comments.length ? [""] : []), statements.map((s) => `${s};`).join("\n\n"), ""].join("\n");
}
