/**
 * The events mode's changelog on the PostgreSQL family (PostgreSQL and PGlite): the `db_events` table
 * and, per entity, a trigger function that logs every insert, update and delete into it, and rings the
 * doorbell (doorbell.ts: a NOTIFY delivered at commit, one per transaction and entity).
 *
 * Payloads keep every value exact: row_to_json(NEW/OLD) with its numbers turned into their own text (a
 * 64-bit integer or a decimal would lose digits in a JavaScript number). Identifiers are quoted by
 * PGlite's template `identifier`; entity names are written as escaped string literals.
 */
import { identifier, query } from "@electric-sql/pglite/template";
import type { EventsEntity } from "./changelog-sql.ts";
import { EVENTS_TABLE, objectName } from "./changelog-table.ts";
import { pgNotifyCall } from "./pg-wake-sql.ts";

function pgIdent(name: string): string {
  return query`${identifier`${name}`}`.query;
}

function pgQualified(name: string): string {
  return name.split(".").map(pgIdent).join(".");
}

function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function postgresChangelogStatements(entities: EventsEntity[]): string[] {
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
  ${pgNotifyCall(pgLiteral(e.name))};
  RETURN NULL;
END
$nomnom$`);
    out.push(`CREATE OR REPLACE TRIGGER ${pgIdent("nomnom_live_events")} AFTER INSERT OR UPDATE OR DELETE ON ${pgQualified(e.table)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  }
  return out;
}
