/**
 * The database going away (a network cut between backend and server) degrades /api/health, keeps
 * clients connected, and when it returns every row written meanwhile arrives, once and in order. A
 * client that subscribes during the outage is told so and served when the database answers again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HealthResponse } from "../../contract/rest.ts";
import { Backend } from "../../backend/backend.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { PostgresDialect } from "../../backend/db/postgres.ts";
import { createLogger } from "../../backend/log.ts";
import { serveNode, type RunningServer } from "../../backend/runtime/node/index.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";
import { TestClient } from "../helpers/ws-client.ts";

const ids = (c: TestClient) => c.changes("Order").map((m) => Number(m.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function health(url: string): Promise<{ status: number; body: HealthResponse }> {
  const res = await fetch(`${url}/api/health`);
  return { status: res.status, body: (await res.json()) as HealthResponse };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("database outage on postgres", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let backend: Backend;
  let server: RunningServer;
  let dialect: PostgresDialect;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    await db.dialect.execute(insertOrders(1, 3));
    const target = new URL(db.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.listen();
    target.port = String(port);
    dialect = new PostgresDialect(target.toString());
    const config = await parseConfig("polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n", "test.yaml", {});
    backend = await Backend.create({ config, dialect, log: createLogger("silent"), source: "test.yaml" });
    backend.start();
    server = await serveNode(backend, { port: 0, host: "127.0.0.1" });
    await backend.ready();
  });
  after(async () => {
    await backend?.stop();
    await server?.close();
    await dialect?.close();
    await proxy?.cut();
    await db?.drop();
  });

  it("degrades health, keeps clients, and delivers every row written during the outage once it returns", { timeout: 60_000 }, async () => {
    const url = `http://127.0.0.1:${server.port}`;
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    const client = await TestClient.connect(wsUrl);
    await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
    await db.dialect.execute(insertOrders(4, 2));
    await client.waitFor("rows before the outage", () => ids(client).length === 2);

    await proxy.cut();
    await until("health to degrade", async () => (await health(url)).status === 503);
    const degraded = (await health(url)).body;
    assert.equal(degraded.status, "degraded");
    assert.equal(degraded.database.reachable, false);
    assert.match(degraded.reason!, /database unreachable/);

    await db.dialect.execute(insertOrders(6, 4)); // written while the backend cannot see the database
    const late = await TestClient.connect(`${wsUrl}?subscribe=manual`);
    late.send({ type: "subscribe", entities: ["Order"] }); // wants a snapshot: needs the database
    await late.waitFor("the outage notice", () => late.ofType("error").length === 1);
    assert.equal(late.ofType("error")[0]!.code, "database_unavailable");
    assert.match(late.ofType("error")[0]!.message, /retrying/);
    assert.deepEqual(late.ofType("error")[0]!.entities, ["Order"]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(client.closed, null, "clients stay connected through the outage");
    assert.deepEqual(ids(client), [4, 5]);

    await proxy.listen();
    await until("health to recover", async () => (await health(url)).status === 200);
    await db.dialect.execute(insertOrders(10, 2));
    await client.waitFor("every row of and after the outage", () => ids(client).length >= 8);
    const lateIds = () => [...(late.ofType("snapshot")[0]?.data.map((r) => Number(r.id)) ?? []), ...ids(late)];
    await late.waitFor("the late subscriber's snapshot and rows", () => lateIds().length >= 11);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(ids(client), range(4, 11), "nothing lost, nothing twice, in order");
    assert.deepEqual(lateIds(), range(1, 11), "the client that subscribed during the outage is served once it ends");
    assert.equal(late.ofType("subscribed").length, 1);
    assert.equal(late.ofType("error").length, 1, "told once, not on every retry");
    await Promise.all([client.close(), late.close()]);
  });
});
