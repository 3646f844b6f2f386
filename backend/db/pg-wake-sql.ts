/**
 * Table mode's opt-in doorbell on the PostgreSQL family: per watched table, a statement-level
 * `AFTER INSERT` trigger that only calls `pg_notify` on WAKE_CHANNEL with the entity's name — no write,
 * one call per statement, and PostgreSQL folds the identical notifications of one transaction into one,
 * delivered when it commits. `migrate` installs it (with `polling.wake: notify` in table mode) and
 * `generate` writes it as `sql/wake-postgresql.sql` for a DBA. Pure statement builders, like the
 * changelog's (pg-changelog-sql.ts).
 */
import { identifier, query } from "@electric-sql/pglite/template";
import { WAKE_CHANNEL } from "./doorbell.ts";

/** The trigger on every watched table, and the one function all of them call with the entity's name. */
export const WAKE_TRIGGER = "nomnom_live_wake";

function pgIdent(name: string): string {
  return query`${identifier`${name}`}`.query;
}

function pgQualified(name: string): string {
  return name.split(".").map(pgIdent).join(".");
}

export function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `PERFORM pg_notify(…)` of WAKE_CHANNEL with `payload` (an SQL expression): the call the doorbell's detection looks for. */
export function pgNotifyCall(payload: string): string {
  return `PERFORM pg_notify(${pgLiteral(WAKE_CHANNEL)}, ${payload})`;
}

/** The wake function and one trigger per entity; every statement is safe to run again. */
export function postgresWakeStatements(entities: { name: string; table: string }[]): string[] {
  const fn = pgIdent(WAKE_TRIGGER);
  const out = [
    // `SET search_path FROM CURRENT` is not needed: the function reads no table.
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $nomnom$
BEGIN
  ${pgNotifyCall("TG_ARGV[0]")};
  RETURN NULL;
END
$nomnom$`,
  ];
  for (const e of entities) {
    out.push(`CREATE OR REPLACE TRIGGER ${pgIdent(WAKE_TRIGGER)} AFTER INSERT ON ${pgQualified(e.table)} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${pgLiteral(e.name)})`);
  }
  return out;
}

/**
 * Whether inserts into the table `$1` signal WAKE_CHANNEL: an enabled trigger whose function calls
 * pg_notify on it (the wake trigger, or a changelog trigger written by a migrate that notifies).
 */
export const NOTIFYING_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
   WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal AND t.tgenabled <> 'D'
     AND position(${pgLiteral(`pg_notify(${pgLiteral(WAKE_CHANNEL)}`)} IN p.prosrc) > 0) AS notifies`;
