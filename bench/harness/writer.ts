/**
 * The writer process: `connections` connections insert into the bench table at a target rate, each in
 * its own transactions (BEGIN; INSERT … RETURNING *; COMMIT — an application's write, with the id drawn
 * before the commit, so concurrent writers commit out of id order as they do in production). The wall
 * clock right after COMMIT returns is the row's commit time, reported per id to the harness.
 */
import { createConnection, type Socket } from "node:net";
import postgres from "postgres";
import { seedRowFrame } from "./row-frame.ts";
import type { FromWriter, ToWriter, WriterInit } from "./ipc.ts";
import { wallNow } from "./ipc.ts";

const send = (m: FromWriter) => process.send!(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let init: WriterInit;
let sql: postgres.Sql;
let push: Socket | null = null;
let stopping = false;

// Commit records are flushed to the harness every few ms rather than per transaction.
let outIds: number[] = [];
let outTimes: number[] = [];
function flush(): void {
  if (outIds.length === 0) return;
  send({ type: "commits", ids: Float64Array.from(outIds), times: Float64Array.from(outTimes) });
  outIds = [];
  outTimes = [];
}

function insertSql(table: string): string {
  // Values made by the server, so the writer's own CPU stays small; ids ascend within a statement.
  return `INSERT INTO ${table} (order_key, customer_key, total_price, order_date, order_priority)
    SELECT 'ORDER-' || ($2::bigint + g), 'CUST-' || lpad(((($2::bigint + g) * 7919) % 10000)::text, 4, '0'),
           round((random() * 100000)::numeric, 2), current_date, (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + (g % 5)]
      FROM generate_series(1, $1::int) g RETURNING *`;
}

async function run(measureFrom: number): Promise<void> {
  const { rate, durationMs, connections, tickMs, maxRowsPerTx } = init;
  const text = insertSql(init.table);
  const errors: string[] = [];
  let rows = 0;
  let transactions = 0;
  const measured = { rows: 0, transactions: 0 };
  let maxId = 0;
  let serial = 0;
  // The rate's clock starts with the warm-up, so the measured window begins at full rate.
  const startedAt = wallNow();
  const end = Math.max(startedAt, measureFrom) + durationMs;
  const flusher = setInterval(flush, 5);
  const perConn = rate / connections;
  const lane = async (c: number) => {
    let done = 0;
    // Staggered, so the connections do not commit in lockstep.
    await sleep((tickMs * c) / connections);
    while (!stopping) {
      const txStart = wallNow();
      if (txStart >= end) break;
      let n = maxRowsPerTx;
      if (rate > 0) {
        const due = Math.floor((perConn * (txStart - startedAt)) / 1000) - done;
        if (due <= 0) {
          await sleep(Math.max(1, Math.min(tickMs, ((done + 1) / perConn) * 1000 - (txStart - startedAt))));
          continue;
        }
        n = Math.min(due, maxRowsPerTx);
      }
      const base = serial;
      serial += n;
      let result: postgres.Row[];
      try {
        result = await sql.begin((tx) => tx.unsafe(text, [n, base]));
      } catch (e) {
        if (errors.length < 10) errors.push((e as Error).message);
        await sleep(10);
        continue;
      }
      const t = wallNow();
      done += n;
      rows += result.length;
      transactions++;
      if (t >= measureFrom) {
        measured.rows += result.length;
        measured.transactions++;
      }
      for (const r of result) {
        const id = Number(r.id);
        outIds.push(id);
        outTimes.push(t);
        if (id > maxId) maxId = id;
      }
      if (push) push.write(result.map((r) => seedRowFrame(r)).join("\n") + "\n");
      if (rate > 0) {
        const spent = wallNow() - txStart;
        if (spent < tickMs) await sleep(tickMs - spent);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, c) => lane(c)));
  clearInterval(flusher);
  flush();
  send({ type: "done", rows, transactions, measured, maxId, startedAt: Math.max(startedAt, measureFrom), endedAt: wallNow(), errors });
}

process.on("message", (m: ToWriter) => {
  switch (m.type) {
    case "init":
      init = m;
      sql = postgres(m.dbUrl, { max: m.connections, onnotice: () => {}, connect_timeout: 10 });
      void (async () => {
        try {
          // Open every connection before the clock starts.
          await Promise.all(Array.from({ length: m.connections }, () => sql.begin((tx) => tx`SELECT pg_sleep(0.01)`)));
          if (m.push) {
            push = createConnection({ host: "127.0.0.1", port: m.push.port });
            push.setNoDelay(true);
            await new Promise<void>((resolve, reject) => push!.once("connect", resolve).once("error", reject));
          }
          send({ type: "initialised" });
        } catch (e) {
          send({ type: "fatal", message: (e as Error).message });
        }
      })();
      return;
    case "start":
      void run(m.measureFrom).then(
        async () => {
          push?.end();
          await sql.end({ timeout: 2 });
          process.disconnect();
        },
        (e: unknown) => send({ type: "fatal", message: e instanceof Error ? e.stack ?? e.message : String(e) }),
      );
      return;
    case "stop":
      stopping = true;
      return;
  }
});
