/**
 * Baseline: the seed-001 design ("Real-Time Dashboard Implementation Plan", FastAPI + db_events),
 * translated to Node + ws + postgres.js:
 *
 * - an AFTER INSERT trigger per entity table copies each row into `db_events` (`row_to_json(NEW)`),
 *   with the seed's table and indexes (`seed001Schema`, installed by the harness);
 * - one background task polls `SELECT id, entity, event_type, payload, created_at FROM db_events
 *   WHERE id > :last_id ORDER BY id ASC LIMIT :limit` (limit 100), and for every event and every client
 *   sends `{entity, event_type, data: payload, timestamp: created_at}` (send_json: serialised per client),
 *   dropping clients whose send fails; then `last_event_id` = the last event's id; then sleeps
 *   POLL_INTERVAL (500 ms in the seed; the bench also runs it at the scenario's interval);
 * - the WebSocket endpoint adds the client to the set and removes it when it goes.
 *
 * Not part of the design, added for the bench only: `GET /bench/cursor` reports `last_event_id`.
 *
 *   node --import tsx bench/baselines/seed001-server.ts --port 0 --interval 500
 */
import { createServer } from "node:http";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { WebSocketServer, type WebSocket } from "ws";

/** The seed's migration, PostgreSQL variant, for one entity table (identifiers are the harness's own, plain lower case). */
export function seed001Schema(schema: string, table: string, entity: string): string {
  const events = `${schema}.db_events`;
  const fn = `${schema}.log_${table}_insert`;
  return `
CREATE TABLE IF NOT EXISTS ${events} (
  id BIGSERIAL PRIMARY KEY,
  entity VARCHAR(100) NOT NULL,
  event_type VARCHAR(20) NOT NULL,
  payload JSON NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_created_at ON ${events} (created_at);
CREATE INDEX IF NOT EXISTS idx_entity ON ${events} (entity);
CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger AS $$
BEGIN
  INSERT INTO ${events} (entity, event_type, payload) VALUES ('${entity}', 'insert', row_to_json(NEW)::json);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ${table}_insert_event AFTER INSERT ON ${schema}.${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, interval: { type: "string", default: "500" } } });
  const POLL_INTERVAL = Number(values.interval);
  const MAX_EVENTS_PER_POLL = 100;
  const database = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
  let lastEventId = 0;
  const connectedClients = new Set<WebSocket>();

  async function pollEvents(): Promise<void> {
    for (;;) {
      try {
        const newEvents = await database.unsafe(
          `SELECT id, entity, event_type, payload, created_at FROM db_events WHERE id > $1 ORDER BY id ASC LIMIT $2`,
          [lastEventId, MAX_EVENTS_PER_POLL],
        );
        if (newEvents.length > 0) {
          for (const event of newEvents) {
            const message = { entity: event.entity, event_type: event.event_type, data: event.payload, timestamp: (event.created_at as Date).toISOString() };
            const disconnected = new Set<WebSocket>();
            for (const client of connectedClients) {
              try {
                client.send(JSON.stringify(message));
              } catch {
                disconnected.add(client);
              }
            }
            for (const d of disconnected) connectedClients.delete(d);
          }
          lastEventId = Number(newEvents[newEvents.length - 1]!.id);
        }
        await new Promise((r) => setTimeout(r, POLL_INTERVAL));
      } catch (e) {
        console.error(`Polling error: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, POLL_INTERVAL));
      }
    }
  }

  const http = createServer((req, res) => {
    if (req.url === "/bench/cursor") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ last_event_id: lastEventId }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, path: "/ws" });
  wss.on("connection", (ws) => {
    connectedClients.add(ws);
    ws.on("message", () => {}); // receive_text() and ignore
    ws.on("close", () => connectedClients.delete(ws));
    ws.on("error", () => connectedClients.delete(ws));
  });
  http.listen(Number(values.port), "127.0.0.1", () => {
    const address = http.address();
    void pollEvents();
    console.log(`BENCH_READY port=${typeof address === "object" && address ? address.port : 0}`);
  });
  process.on("SIGTERM", () => process.exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
