/**
 * The events mode's SQL: the `db_events` changelog table and, per watched entity, the trigger(s) that
 * log every insert, update and delete into it. One statement list per dialect; `migrate` runs it and
 * `generate` writes it to a file, so the two never differ.
 *
 * Payloads keep every value exact: PostgreSQL's row_to_json(NEW/OLD) with its numbers turned into their
 * own text (a 64-bit integer or a decimal would lose digits in a JavaScript number); MySQL/MariaDB's
 * JSON_OBJECT over the entity's columns, numbers as text and times as ISO-8601 UTC (a TIMESTAMP is
 * converted from the writing session's time zone). The backend turns the text back into the types
 * table mode gives (payload.ts). Identifiers are quoted by the drivers' escaping (PGlite's template
 * `identifier` for the PostgreSQL family, mysql2's escapeId); entity names are validated by the
 * configuration schema and written as escaped string literals.
 */
import { identifier, query } from "@electric-sql/pglite/template";
import { escape, escapeId } from "mysql2";
import { createHash } from "node:crypto";
import type { FieldType } from "../../contract/rest.ts";
import { EVENTS_TABLE } from "./changelog.ts";

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

function pgIdent(name: string): string {
  return query`${identifier`${name}`}`.query;
}

function pgQualified(name: string): string {
  return name.split(".").map(pgIdent).join(".");
}

function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A trigger or function name derived from the table, within the 63-character identifier limit. */
function objectName(prefix: string, table: string, suffix = ""): string {
  const base = table.replace(/\./g, "__");
  const name = `${prefix}${base}${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash("sha256").update(table).digest("hex").slice(0, 8);
  return `${prefix}${base.slice(0, 63 - prefix.length - suffix.length - 9)}_${hash}${suffix}`;
}

function postgresStatements(entities: EventsEntity[]): string[] {
  const events = pgIdent(EVENTS_TABLE);
  const out = [
    `CREATE TABLE IF NOT EXISTS ${events} (
  id bigserial PRIMARY KEY,
  entity varchar(100) NOT NULL,
  event_type varchar(10) NOT NULL CHECK (event_type IN ('insert', 'update', 'delete')),
  row_key bigint,
  payload json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE INDEX IF NOT EXISTS ${pgIdent(`${EVENTS_TABLE}_entity_id`)} ON ${events} (entity, id)`,
    `CREATE INDEX IF NOT EXISTS ${pgIdent(`${EVENTS_TABLE}_created_at`)} ON ${events} (created_at)`,
  ];
  for (const e of entities) {
    const fn = pgIdent(objectName("nomnom_live_log_", e.table));
    // `SET search_path FROM CURRENT`: the function finds db_events where migrate created it, whatever
    // the search_path of the session that writes the row.
    out.push(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $nomnom$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO ${events} (entity, event_type, row_key, payload)
  VALUES (${pgLiteral(e.name)}, lower(TG_OP), r.${pgIdent(e.key)},
          (SELECT json_object_agg(f.key, CASE json_typeof(f.value) WHEN 'number' THEN to_json(f.value #>> '{}') ELSE f.value END)
             FROM json_each(row_to_json(r)) f));
  RETURN NULL;
END
$nomnom$`);
    out.push(`CREATE OR REPLACE TRIGGER ${pgIdent("nomnom_live_events")} AFTER INSERT OR UPDATE OR DELETE ON ${pgQualified(e.table)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  }
  return out;
}

/** One column's value in JSON_OBJECT, exact and in UTC whatever the writing session's settings. */
function mysqlValue(row: "NEW" | "OLD", c: EventsColumn): string {
  const v = `${row}.${escapeId(c.name, true)}`;
  const db = (c.dbType ?? "").toLowerCase();
  switch (c.type) {
    case "integer":
    case "float":
    case "decimal":
    case "boolean":
      return `CAST(${v} AS CHAR)`;
    case "datetime":
      // A TIMESTAMP reads in the session's time zone; its epoch value does not.
      return db.startsWith("timestamp")
        ? `DATE_FORMAT(DATE_ADD('1970-01-01 00:00:00', INTERVAL UNIX_TIMESTAMP(${v}) * 1000000 MICROSECOND), '%Y-%m-%dT%H:%i:%s.%fZ')`
        : `DATE_FORMAT(${v}, '%Y-%m-%dT%H:%i:%s.%fZ')`;
    case "json":
      return `JSON_EXTRACT(${v}, '$')`;
    default:
      return /^(tiny|medium|long)?blob|^(var)?binary|^bit/.test(db) ? `CONCAT('\\\\x', LOWER(HEX(${v})))` : v;
  }
}

function mysqlStatements(dialect: "mysql" | "mariadb", entities: EventsEntity[]): string[] {
  const events = escapeId(EVENTS_TABLE);
  const out = [
    `CREATE TABLE IF NOT EXISTS ${events} (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity VARCHAR(100) NOT NULL,
  event_type VARCHAR(10) NOT NULL CHECK (event_type IN ('insert', 'update', 'delete')),
  row_key BIGINT NULL,
  payload JSON NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  INDEX ${escapeId(`${EVENTS_TABLE}_entity_id`)} (entity, id),
  INDEX ${escapeId(`${EVENTS_TABLE}_created_at`)} (created_at)
) ENGINE=InnoDB`,
  ];
  for (const e of entities) {
    if (e.table.includes(".")) {
      throw new Error(`entity ${e.name}: events mode on ${dialect} needs the table in the connection's database (got "${e.table}")`);
    }
    for (const [event, row] of [
      ["insert", "NEW"],
      ["update", "NEW"],
      ["delete", "OLD"],
    ] as const) {
      const name = escapeId(objectName("nomnom_live_", e.table, `_${event}`));
      const pairs = e.columns.map((c) => `${escape(c.name)}, ${mysqlValue(row, c)}`).join(", ");
      const body = `INSERT INTO ${events} (entity, event_type, row_key, payload) VALUES (${escape(e.name)}, '${event}', ${row}.${escapeId(e.key, true)}, JSON_OBJECT(${pairs}))`;
      const head = `AFTER ${event.toUpperCase()} ON ${escapeId(e.table)} FOR EACH ROW`;
      // MariaDB replaces a trigger atomically; MySQL has no OR REPLACE for triggers.
      if (dialect === "mariadb") out.push(`CREATE OR REPLACE TRIGGER ${name} ${head} ${body}`);
      else out.push(`DROP TRIGGER IF EXISTS ${name}`, `CREATE TRIGGER ${name} ${head} ${body}`);
    }
  }
  return out;
}

/** The statements that create the changelog and its triggers; every one is safe to run again. */
export function changelogStatements(dialect: EventsDialect, entities: EventsEntity[]): string[] {
  return dialect === "postgres" ? postgresStatements(entities) : mysqlStatements(dialect, entities);
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
