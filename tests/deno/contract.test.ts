/**
 * The core of the contract with the backend running on Deno (the `deno` npm package, the same app behind
 * the Deno edge): REST, the WebSocket sequence and seed fields, batching, resume by cursor, bad input,
 * tokens and tickets — against the real PostgreSQL; and the demo on the embedded PGlite.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EntityInfo, HealthResponse } from "../../contract/rest.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const DENO = join(ROOT, "node_modules/.bin/deno");
const TOKEN = "deno-test-token-0123456789abcdef";

function denoBackend(args: string[], env: Record<string, string>): Promise<BackendProcess> {
  return spawnBackend(DENO, ["run", "--allow-all", "--node-modules-dir=manual", "backend/runtime/deno.ts", ...args], { PORT: "0", ...env }, 90_000);
}

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "nomnom-deno-")), "nomnom-live.yaml");
  writeFileSync(file, yaml);
  return file;
}

const ids = (c: TestClient) => c.changes("Order").map((m) => Number(m.id));

describe("contract on Deno with postgres", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let backend: BackendProcess;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    await db.dialect.execute(insertOrders(1, 5));
    const file = configFile("polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders, timestamp: created_at, max_records: 50 }\n  - { name: OrderLineItem, table: order_line_items }\n");
    backend = await denoBackend(["serve", "--config", file], { DATABASE_URL: db.url! });
  });
  after(async () => {
    const code = await backend?.stop();
    await db?.drop();
    assert.equal(code, 0, `the Deno backend exits cleanly on SIGTERM:\n${backend?.output()}`);
  });

  it("serves health and entities", async () => {
    const health = (await (await fetch(`${backend.url}/api/health`)).json()) as HealthResponse;
    assert.equal(health.status, "ok");
    assert.equal(health.database.dialect, "postgres");
    assert.equal(health.entities.Order!.last_id, 5);
    const entities = (await (await fetch(`${backend.url}/api/entities`)).json()) as EntityInfo[];
    assert.deepEqual(
      entities.map((e) => e.name),
      ["Order", "OrderLineItem"],
    );
    assert.equal(entities[0]!.fields.find((f) => f.name === "total")!.type, "decimal");
  });

  it("streams connection_ack, snapshot, subscribed, then live rows with the seed fields", async () => {
    const c = await TestClient.connect(backend.wsUrl);
    await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
    assert.equal(c.messages[0]!.type, "connection_ack");
    const snap = c.ofType("snapshot").find((s) => s.entity === "Order")!;
    assert.equal(snap.data.length, 5);
    await db.dialect.execute(insertOrders(6, 2));
    await c.waitFor("two live rows", () => ids(c).length === 2);
    const first = c.changes("Order")[0]!;
    assert.deepEqual(Object.keys(first), ["type", "entity", "event_type", "data", "timestamp", "id"]);
    assert.equal(first.data.big, "9007199254740993");
    assert.deepEqual(ids(c), [6, 7]);
    await c.close();
  });

  it("batches on request, answers bad input with an error and keeps the connection", async () => {
    const c = await TestClient.connect(`${backend.wsUrl}?batch=1&subscribe=manual`);
    c.send("{oops");
    c.send({ type: "subscribe", entities: ["Nope"] });
    await c.waitFor("two errors", () => c.ofType("error").length === 2);
    assert.deepEqual(
      c.ofType("error").map((e) => e.code),
      ["invalid_json", "unknown_entity"],
    );
    c.send({ type: "subscribe", entities: ["Order"], snapshot: false });
    await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
    await db.dialect.execute(insertOrders(8, 3));
    await c.waitFor("three rows", () => ids(c).length === 3);
    assert.ok(c.ofType("batch").length >= 1);
    assert.equal(c.closed, null);
    await c.close();
  });

  it("replays exactly the missed rows to a client resuming with its cursor", async () => {
    await db.dialect.execute(insertOrders(11, 4)); // ids 11..14, while nobody listens
    const c = await TestClient.connect(`${backend.wsUrl}?subscribe=manual`);
    c.send({ type: "subscribe", cursor: { Order: 10 } });
    await c.waitFor("the four missed rows", () => ids(c).length >= 4);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive now
    assert.deepEqual(ids(c), [11, 12, 13, 14]);
    await c.close();
  });
});

describe("tokens and tickets on Deno", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let backend: BackendProcess;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    backend = await denoBackend(["serve", "--config", configFile(`server: { auth_tokens: ["${TOKEN}"] }\nentities:\n  - { name: Order, table: orders }\n`)], { DATABASE_URL: db.url! });
  });
  after(async () => {
    await backend?.stop();
    await db?.drop();
  });

  it("refuses REST without the token and accepts a ticket exactly once", async () => {
    assert.equal((await fetch(`${backend.url}/api/entities`)).status, 401);
    const res = await fetch(`${backend.url}/api/ws-ticket`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } });
    const { ticket } = (await res.json()) as { ticket: string };
    const c = await TestClient.connect(`${backend.wsUrl}?ticket=${ticket}`);
    await c.waitFor("ack", () => c.ofType("connection_ack").length === 1);
    await assert.rejects(TestClient.connect(`${backend.wsUrl}?ticket=${ticket}`), (e: { status?: number }) => e.status === 401);
    await c.close();
  });
});

describe("the demo on Deno with the embedded PGlite", () => {
  let backend: BackendProcess;
  before(async () => {
    backend = await denoBackend(["demo", "--rate", "20"], {});
  });
  after(async () => {
    await backend?.stop();
  });

  it("streams the demo writer's rows, contiguous and in order", async () => {
    const c = await TestClient.connect(`${backend.wsUrl}?subscribe=manual`);
    c.send({ type: "subscribe", entities: ["Order"], snapshot: false });
    await c.waitFor("ten live orders", () => ids(c).length >= 10, 20_000);
    const got = ids(c);
    assert.deepEqual(
      got,
      got.map((_, i) => got[0]! + i),
    );
    const health = (await (await fetch(`${backend.url}/api/health`)).json()) as HealthResponse;
    assert.equal(health.database.dialect, "pglite");
    await c.close();
  });
});
