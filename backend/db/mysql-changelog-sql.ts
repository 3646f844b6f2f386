/**
 * The events mode's changelog on MySQL and MariaDB: the `db_events` table and, per entity, three
 * triggers (insert, update, delete) that log into it.
 *
 * Payloads keep every value exact: JSON_OBJECT over the entity's columns, numbers as text and times as
 * ISO-8601 UTC (a TIMESTAMP is converted from the writing session's time zone). Identifiers are quoted
 * by mysql2's escapeId; entity names are written as escaped string literals.
 */
import { escape, escapeId } from "mysql2";
import type { EventsColumn, EventsEntity } from "./changelog-sql.ts";
import { EVENTS_TABLE, objectName } from "./changelog-table.ts";

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

export function mysqlChangelogStatements(dialect: "mysql" | "mariadb", entities: EventsEntity[]): string[] {
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
