/**
 * Baseline: the seed-000 design ("Axum Dashboard Design Document", direct table polling), translated to
 * Node + ws + postgres.js as faithfully as the language allows:
 *
 * - one polling loop per entity table: `SELECT * FROM <table> WHERE id > $1 ORDER BY id ASC LIMIT 100`,
 *   the last seen id moved to the highest id returned, then a sleep of the poll interval (500 ms in the
 *   seed; the bench also runs it at the scenario's interval) — after a full batch too, as in the seed;
 * - every row becomes its own message `{entity, event_type, data, timestamp}` (timestamp = now), and
 *   `broadcast_to_clients` serialises it for each client and sends it; no batching, no backpressure
 *   (a Node `ws.send` queues without waiting, which is what an unbounded sender does);
 * - clients are added to the set when they connect and removed when they disconnect.
 *
 * Not part of the design, added for the bench only: `GET /bench/cursor` reports the last seen id, so
 * the harness can tell a row the loop passed over (lost for good) from one it has not read yet.
 *
 *   node --import tsx bench/baselines/seed000-server.ts --port 0 --interval 500 --table orders --entity Order
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { WebSocketServer, type WebSocket } from "ws";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, interval: { type: "string", default: "500" }, table: { type: "string", default: "orders" }, entity: { type: "string", default: "Order" } },
});
const intervalMs = Number(values.interval);

// DashboardState: last seen id per table, connected clients, the pool (sqlx's default pool size is 10).
const lastIds = new Map<string, number>();
const clients = new Set<WebSocket>();
const pool = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });

function recordToJson(record: postgres.Row): Record<string, unknown> {
  return { ...record };
}

function broadcastToClients(message: Record<string, unknown>): void {
  for (const client of clients) client.send(JSON.stringify(message));
}

async function pollEntityTable(table: string, entityName: string): Promise<void> {
  for (;;) {
    try {
      const lastId = lastIds.get(table) ?? 0;
      const newRecords = await pool.unsafe(`SELECT * FROM ${(pool(table) as unknown as { value: string }).value} WHERE id > $1 ORDER BY id ASC LIMIT 100`, [lastId]);
      if (newRecords.length > 0) {
        const maxId = newRecords.reduce((m, r) => Math.max(m, Number(r.id)), lastId);
        lastIds.set(table, maxId);
        for (const record of newRecords) {
          broadcastToClients({ entity: entityName, event_type: "insert", data: recordToJson(record), timestamp: new Date().toISOString() });
        }
      }
    } catch (e) {
      // The seed's `?` would end the task on the first error; logging and going on is the kinder reading.
      console.error("poll failed:", (e as Error).message);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const http = createServer((req, res) => {
  if (req.url === "/bench/cursor") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ last_id: lastIds.get(values.table) ?? 0 }));
    return;
  }
  if (req.url === "/api/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", clients: clients.size }));
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, path: "/ws" });
wss.on("connection", (ws) => {
  clients.add(ws);
  ws.on("message", () => {}); // client messages are read and ignored
  ws.on("close", () => clients.delete(ws));
  ws.on("error", () => clients.delete(ws));
});

http.listen(Number(values.port), "127.0.0.1", () => {
  const address = http.address();
  void pollEntityTable(values.table, values.entity);
  console.log(`BENCH_READY port=${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
