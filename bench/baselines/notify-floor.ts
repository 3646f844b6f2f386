/**
 * Limit: PostgreSQL's own commit-to-NOTIFY delivery latency, the floor under any change feed. A trigger
 * calls pg_notify with the new row's id inside the inserting transaction (`notifySchema`); PostgreSQL
 * delivers it to listeners when that transaction commits. This process is the LISTEN client: it records
 * the receipt of every id exactly as the WebSocket clients do (collector.ts), so the floor and the
 * designs are measured by the same code. Forked by the harness; not a server.
 */
import postgres from "postgres";
import { Collector } from "../harness/collector.ts";
import { wallNow } from "../harness/ipc.ts";

/** The NOTIFY trigger on the bench table (identifiers are the harness's own, plain lower case). */
export function notifySchema(schema: string, table: string, channel: string): string {
  const fn = `${schema}.notify_${table}_insert`;
  return `
CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('${channel}', NEW.id::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ${table}_notify AFTER INSERT ON ${schema}.${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();`;
}

let sql: postgres.Sql | null = null;

if (process.send) {
  Collector.serve(
    async (init, collector) => {
      sql = postgres(init.url, { max: 1, onnotice: () => {} });
      const ids: number[] = [0];
      await new Promise<void>((resolve, reject) => {
        sql!
          .listen(
            init.channel!,
            (payload) => {
              ids[0] = Number(payload);
              collector.delivered(0, ids, wallNow());
            },
            () => resolve(),
          )
          .catch(reject);
      });
      collector.clients[0]!.ready = true;
      return { failed: 0 };
    },
    async () => {
      await sql?.end({ timeout: 1 });
    },
  );
}
