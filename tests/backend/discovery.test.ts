/**
 * Zero-configuration discovery says what it does: one log line per table — watched as which entity,
 * or not watched and why (uuid, text or composite keys, no key); a `created_at` timestamp column is
 * taken as the entity's timestamp, so history by time range works; two tables that would get one
 * entity name get two; and a table created while the backend runs is watched without a restart — the
 * REST API, health, stats and metrics list it, and a client subscribed to every entity receives it.
 * On the embedded PGlite, the real PostgreSQL and the real MariaDB.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EntityInfo, RecordsResponse } from "../../contract/rest.ts";
import { API_PREFIX, REST, WS_PATH } from "../../contract/index.ts";
import { Backend } from "../../backend/backend.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { discoverEntities } from "../../backend/entities.ts";
import type { Logger } from "../../backend/log.ts";
import { serveNode } from "../../backend/runtime/node/index.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { isMysqlFamily } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

/** A logger that keeps its lines. */
function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (msg: string, fields?: Record<string, unknown>) => lines.push(fields ? `${msg} ${JSON.stringify(fields)}` : msg);
  return { lines, debug: () => {}, info: keep, warn: keep, error: keep };
}

function schema(kind: DbKind): string {
  if (isMysqlFamily(kind)) {
    return `
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32), updated_at TIMESTAMP(3) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
CREATE TABLE sessions (id UUID PRIMARY KEY, v INT) ENGINE=InnoDB;
CREATE TABLE notes (code VARCHAR(10) PRIMARY KEY, v INT) ENGINE=InnoDB;
CREATE TABLE pairs (a INT, b INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
CREATE TABLE logbook (line VARCHAR(100)) ENGINE=InnoDB;`;
  }
  return `
CREATE TABLE orders (id bigserial PRIMARY KEY, order_key text, updated_at timestamptz, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE sessions (id uuid PRIMARY KEY, v integer);
CREATE TABLE notes (code text PRIMARY KEY, v integer);
CREATE TABLE pairs (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE logbook (line text);`;
}

interface Running {
  backend: Backend;
  url: string;
  stop(): Promise<void>;
}

async function start(db: TestDatabase, yaml: string, log: Logger): Promise<Running> {
  const config = await parseConfig(yaml, "test.yaml", {});
  config.server.port = 0;
  config.server.host = "127.0.0.1";
  const { dialect, owned } = await db.backendDialect();
  const backend = await Backend.create({ config, dialect, log, source: "test.yaml" });
  const server = await serveNode(backend);
  backend.start();
  await backend.ready();
  return {
    backend,
    url: server.url,
    async stop() {
      await backend.stop();
      await server.close();
      if (owned) await dialect.close();
    },
  };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

for (const kind of ALL_KINDS) {
  describe(`discovery on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let app: Running;
    const log = recordingLog();
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(schema(kind));
      await db.dialect.execute("INSERT INTO orders (order_key) VALUES ('O-1'), ('O-2')");
      app = await start(db, "polling: { interval_ms: 100 }\nserver: { stats_interval_ms: 300 }\ndiscovery: { interval_ms: 1000 }\n", log);
    });
    after(async () => {
      await app?.stop();
      await db?.drop();
    });

    it("logs one line per table: what it watches, and why it leaves the others", () => {
      const about = (table: string) => log.lines.filter((l) => new RegExp(`table ${table}\\b`).test(l));
      for (const table of ["orders", "sessions", "notes", "pairs", "logbook"]) assert.equal(about(table).length, 1, `one line about ${table}:\n${log.lines.join("\n")}`);
      assert.match(about("orders")[0]!, /watching table orders as Order: key id, timestamp created_at/);
      assert.match(about("sessions")[0]!, /not watching table sessions: its primary key id is uuid, not an integer/);
      assert.match(about("notes")[0]!, /not watching table notes: its primary key code is (text|varchar\(10\)), not an integer/);
      assert.match(about("pairs")[0]!, /not watching table pairs: its primary key is composite \(a, b\)/);
      assert.match(about("logbook")[0]!, /not watching table logbook: it has no primary key/);
    });

    it("takes created_at (not updated_at) as the timestamp, so history by time range works", async () => {
      const entities = await json<EntityInfo[]>(`${app.url}${API_PREFIX}${REST.entities}`);
      assert.deepEqual(
        entities.map((e) => [e.name, e.timestamp]),
        [["Order", "created_at"]],
      );
      const page = await json<RecordsResponse>(`${app.url}${API_PREFIX}/entities/Order/records?from=2000-01-01T00:00:00Z`);
      assert.deepEqual(
        page.records.map((r) => r.order_key),
        ["O-1", "O-2"],
      );
    });

    it("watches a table created while running: REST, health, stats, metrics and clients subscribed to everything", { timeout: 60_000 }, async () => {
      const all = await TestClient.connect(app.url.replace(/^http/, "ws") + WS_PATH);
      const chosen = await TestClient.connect(app.url.replace(/^http/, "ws") + WS_PATH + "?subscribe=manual");
      chosen.send({ type: "subscribe", entities: ["Order"] });
      await all.waitFor("subscribed", () => all.ofType("subscribed").length >= 1);
      await chosen.waitFor("subscribed", () => chosen.ofType("subscribed").length >= 1);

      await db.dialect.execute(
        isMysqlFamily(kind)
          ? "CREATE TABLE shipments (id INT AUTO_INCREMENT PRIMARY KEY, carrier VARCHAR(20), inserted_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB"
          : "CREATE TABLE shipments (id serial PRIMARY KEY, carrier text, inserted_at timestamp NOT NULL DEFAULT now())",
      );
      await db.dialect.execute("INSERT INTO shipments (carrier) VALUES ('before-discovery')");
      await all.waitFor("the new entity's subscribed", () => all.ofType("subscribed").some((m) => m.entities.includes("Shipment")), 15_000);
      const snapshot = all.ofType("snapshot").find((m) => m.entity === "Shipment");
      assert.deepEqual(
        snapshot?.data.map((r) => r.carrier),
        ["before-discovery"],
      );

      await db.dialect.execute("INSERT INTO shipments (carrier) VALUES ('live-1'), ('live-2')");
      await all.waitFor("live shipments", () => all.changes("Shipment").length >= 2);
      assert.deepEqual(
        all.changes("Shipment").map((c) => c.data.carrier),
        ["live-1", "live-2"],
      );

      const entities = await json<EntityInfo[]>(`${app.url}${API_PREFIX}${REST.entities}`);
      assert.deepEqual(
        entities.map((e) => [e.name, e.timestamp]),
        [
          ["Order", "created_at"],
          ["Shipment", "inserted_at"],
        ],
      );
      const health = await json<{ entities: Record<string, { last_id: unknown }> }>(`${app.url}${API_PREFIX}${REST.health}`);
      assert.ok("Shipment" in health.entities, JSON.stringify(health));
      await all.waitFor("stats with Shipment", () => all.ofType("stats_update").some((m) => m.data.Shipment?.total === 3));
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      assert.match(metrics, /nomnom_rows_seen_total\{entity="Shipment"\} 2/);
      assert.ok(log.lines.some((l) => /watching table shipments as Shipment: key id, timestamp inserted_at/.test(l)), log.lines.join("\n"));
      assert.equal(log.lines.filter((l) => /table sessions\b/.test(l)).length, 1, "a table that stays unwatchable is logged once, not at every look");

      assert.equal(chosen.ofType("snapshot").filter((m) => m.entity === "Shipment").length, 0, "a client that chose its entities is not given new ones");
      assert.equal(chosen.changes("Shipment").length, 0);
      await all.close();
      await chosen.close();
    });
  });
}

const skipPostgres = await skipReason("postgres");
const skipMariadb = await skipReason("mariadb");

describe("entity names of discovered tables", () => {
  it("stay unique when two tables would get one name (order_items and OrderItems), the same on every start", { skip: skipPostgres }, async () => {
    const db = await createTestDatabase("postgres");
    try {
      await db.dialect.execute(`CREATE TABLE order_items (id serial PRIMARY KEY); CREATE TABLE "OrderItems" (id serial PRIMARY KEY); CREATE TABLE order_item (id serial PRIMARY KEY);`);
      const names = async () => (await discoverEntities(db.dialect)).map((e) => [e.info.table, e.info.name]);
      const first = await names();
      assert.deepEqual(first, [
        ["OrderItems", "OrderItem"],
        ["order_item", "OrderItem2"],
        ["order_items", "OrderItem3"],
      ]);
      assert.deepEqual(await names(), first, "deterministic");
    } finally {
      await db.drop();
    }
  });

  it("put the schema in front for a table of another schema in search_path (a.orders, b.orders)", { skip: skipPostgres }, async () => {
    const a = await createTestDatabase("postgres");
    const b = await createTestDatabase("postgres");
    const other = new URL(b.url!).searchParams.get("search_path")!;
    const { PostgresDialect } = await import("../../backend/db/postgres.ts");
    const both = new PostgresDialect(`${a.url!},${other}`);
    try {
      await a.dialect.execute("CREATE TABLE orders (id serial PRIMARY KEY)");
      await b.dialect.execute("CREATE TABLE orders (id serial PRIMARY KEY)");
      const found = (await discoverEntities(both)).map((e) => [e.info.table, e.info.name]);
      const pascal = other
        .split("_")
        .map((p) => p[0]!.toUpperCase() + p.slice(1))
        .join("");
      assert.deepEqual(found, [
        ["orders", "Order"],
        [`${other}.orders`, `${pascal}Order`],
      ]);
    } finally {
      await both.close();
      await a.drop();
      await b.drop();
    }
  });

  it("on MariaDB too, where table names are case-sensitive", { skip: skipMariadb }, async () => {
    const db = await createTestDatabase("mariadb");
    try {
      await db.dialect.execute("CREATE TABLE order_items (id INT AUTO_INCREMENT PRIMARY KEY); CREATE TABLE OrderItems (id INT AUTO_INCREMENT PRIMARY KEY);");
      const found = (await discoverEntities(db.dialect)).map((e) => [e.info.table, e.info.name]);
      assert.deepEqual(found, [
        ["OrderItems", "OrderItem"],
        ["order_items", "OrderItem2"],
      ]);
    } finally {
      await db.drop();
    }
  });
});
