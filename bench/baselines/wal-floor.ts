/**
 * Limit: PostgreSQL's logical-replication delivery latency (commit → subscriber), the floor under the
 * `wal` doorbell. postgres.js's `subscribe` opens a replication connection with a temporary slot (it
 * dies with the connection) on a publication of the bench table (`walSchema`) and calls back with each
 * inserted row once its transaction has committed. This process records the receipt of every id as the
 * WebSocket clients do (collector.ts). Needs `wal_level = logical`: the bench runs it on its private
 * server. Forked by the harness; not a server.
 */
import postgres from "postgres";
import { Collector } from "../harness/collector.ts";
import { wallNow } from "../harness/ipc.ts";

/** The publication of the bench table (identifiers are the harness's own, plain lower case). */
export function walSchema(schema: string, table: string, publication: string): string {
  return `CREATE PUBLICATION ${publication} FOR TABLE ${schema}.${table} WITH (publish = 'insert');`;
}

/** Publications are not in a schema: dropped by name when the run ends. */
export function walTeardown(publication: string): string {
  return `DROP PUBLICATION IF EXISTS ${publication};`;
}

let sql: postgres.Sql | null = null;

if (process.send) {
  Collector.serve(
    async (init, collector) => {
      sql = postgres(init.url, { max: 1, onnotice: () => {}, publications: init.channel! });
      const ids: number[] = [0];
      await sql.subscribe(`insert:${init.table!}`, (row) => {
        ids[0] = Number((row as { id: string | number }).id);
        collector.delivered(0, ids, wallNow());
      });
      collector.clients[0]!.ready = true;
      return { failed: 0 };
    },
    async () => {
      await sql?.end({ timeout: 1 });
    },
  );
}
