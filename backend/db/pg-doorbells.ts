/**
 * The doorbells of the PostgreSQL family (doorbell.ts): `notify` on PostgreSQL and PGlite, `wal` on
 * PostgreSQL when its `wal_level` is `logical` and the role may replicate and publish the tables.
 */
import type postgres from "postgres";
import type { PGlite } from "@electric-sql/pglite";
import { errorText, WAKE_CHANNEL, type Doorbell, type Doorbells } from "./doorbell.ts";
import { pgNotifyDoorbell } from "./pg-notify-doorbell.ts";
import { pgWalDoorbell } from "./pg-wal-doorbell.ts";
import { NOTIFYING_SQL } from "./pg-wake-sql.ts";

type Run = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
type Quote = (name: string) => string;

async function notifying(run: Run, quote: Quote, tables: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const [r] = await run(NOTIFYING_SQL, [quote(t)]);
    if (r?.notifies === true) out.push(t);
  }
  return out;
}

async function walUnavailable(run: Run, quote: Quote, tables: string[]): Promise<string | null> {
  const [s] = await run(
    `SELECT current_setting('wal_level') AS wal_level, current_user AS role, r.rolreplication OR r.rolsuper AS may_replicate,
            has_database_privilege(current_database(), 'CREATE') AS may_create,
            current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots)::int AS free_slots,
            current_setting('server_version_num')::int AS version
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  if (!s) return "the current role is not in pg_roles";
  if (s.wal_level !== "logical") return `wal_level is ${String(s.wal_level)}, not logical (set it in postgresql.conf and restart)`;
  if (Number(s.version) < 140000) return "logical replication as a doorbell needs PostgreSQL 14 or newer";
  if (s.may_replicate !== true) return `role ${String(s.role)} may not replicate (ALTER ROLE ${String(s.role)} REPLICATION)`;
  if (s.may_create !== true) return `role ${String(s.role)} may not create a publication in this database (GRANT CREATE ON DATABASE)`;
  if (Number(s.free_slots) < 1) return "no replication slot is free (max_replication_slots)";
  for (const t of tables) {
    const [o] = await run("SELECT pg_has_role(c.relowner, 'USAGE') AS owns FROM pg_class c WHERE c.oid = to_regclass($1)", [quote(t)]);
    if (o?.owns !== true) return `role ${String(s.role)} does not own table ${t}, so it cannot publish it`;
  }
  return null;
}

export function postgresDoorbells(sql: postgres.Sql, run: Run, quote: Quote): Doorbells {
  return {
    notifying: (tables) => notifying(run, quote, tables),
    walUnavailable: (tables) => walUnavailable(run, quote, tables),
    open: (kind, tables, handlers) => (kind === "notify" ? pgNotifyDoorbell(sql, handlers) : pgWalDoorbell(sql, run, quote, tables, handlers)),
  };
}

/** PGlite runs in this process: its notifications arrive after the statement that commits, and never drop. */
export function pgliteDoorbells(db: PGlite, run: Run, quote: Quote): Doorbells {
  return {
    notifying: (tables) => notifying(run, quote, tables),
    walUnavailable: () => Promise.resolve("PGlite has no logical replication"),
    open(kind, _tables, handlers): Doorbell {
      if (kind !== "notify") throw new Error("PGlite has no logical replication");
      let unlisten: (() => Promise<void>) | null = null;
      let closed = false;
      db.listen(WAKE_CHANNEL, (payload) => handlers.ring(payload || null)).then(
        (stop) => {
          if (closed) return void stop().catch(() => {});
          unlisten = stop;
          handlers.up();
        },
        (e: unknown) => handlers.down(errorText(e)),
      );
      return {
        pid: null,
        async close() {
          closed = true;
          await unlisten?.().catch(() => {});
        },
      };
    },
  };
}
