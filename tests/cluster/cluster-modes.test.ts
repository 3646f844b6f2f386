/**
 * The cluster beyond configured entities in table mode, with two replicas in this process on the real
 * PostgreSQL and the machine's NATS: a table discovered while running is elected like the others (one
 * replica polls it, the other's clients get its rows over the bus); events mode elects the changelog's
 * one poller the same way; and a replica whose bus is down reads the database itself, so its clients
 * miss nothing.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ChangeMessage } from "../../contract/index.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { createTestDatabase, skipReason, uniqueName, type TestDatabase } from "../helpers/databases.ts";
import { TestClient } from "../helpers/ws-client.ts";
import { NATS_URL, natsSkipReason } from "./support/replicas.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await f())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The ids of `entity` a client received, in order. */
function ids(c: TestClient, entity: string, type = "insert"): number[] {
  return c.messages
    .flatMap((m) => (m.type === "batch" ? (m as unknown as { events: ChangeMessage[] }).events : [m]))
    .filter((m): m is ChangeMessage => m.type === type && (m as ChangeMessage).entity === entity)
    .map((m) => Number(m.id));
}

async function live(tb: TestBackend): Promise<TestClient> {
  const c = await TestClient.connect(tb.wsUrl);
  await c.waitFor("subscribed", () => c.ofType("subscribed").length > 0);
  return c;
}

describe("the cluster with discovered entities, events mode and a replica without its bus", { skip: (await skipReason("postgres")) ?? (await natsSkipReason()) }, () => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const o of open.reverse()) await o.close().catch(() => {});
  });
  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase("postgres");
    open.push({ close: () => db.drop() });
    return db;
  }
  async function replica(db: TestDatabase, yaml: string): Promise<TestBackend> {
    const tb = await startBackend(db, yaml);
    open.push({ close: () => tb.stop() });
    return tb;
  }

  it("a table created while the replicas run is elected too: one polls it, the other's clients get its rows", { timeout: 60_000 }, async () => {
    const db = await database();
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text)");
    const yaml = `database: { url: "${db.url}" }\npolling: { interval_ms: 100 }\ndiscovery: { interval_ms: 1000 }\ncluster: { name: ${uniqueName("nnc")}, bus: "${NATS_URL}" }\n`;
    const a = await replica(db, yaml);
    const b = await replica(db, yaml);
    const [ca, cb] = [await live(a), await live(b)];
    await db.dialect.execute("CREATE TABLE shipments (id bigserial PRIMARY KEY, v text)");
    await until("both replicas watch Shipment", () => [a, b].every((t) => "Shipment" in t.backend.health().entities));
    await until("one polls Shipment", () => [a, b].map((t) => t.backend.health().entities.Shipment!.role).filter((r) => r === "poller").length === 1);
    await until("followers have its position", () => [a, b].every((t) => t.backend.health().entities.Shipment!.last_id !== null));
    await db.dialect.execute("INSERT INTO shipments (v) SELECT 'x' FROM generate_series(1, 5)");
    await until("both clients get the rows", () => ids(ca, "Shipment").length >= 5 && ids(cb, "Shipment").length >= 5);
    await sleep(300);
    assert.deepEqual(ids(ca, "Shipment"), [1, 2, 3, 4, 5]);
    assert.deepEqual(ids(cb, "Shipment"), [1, 2, 3, 4, 5]);
    const roles = [a, b].map((t) => t.backend.health().entities);
    assert.deepEqual(roles.map((e) => e.Shipment!.poller).filter(Boolean).length, 2, "each knows who polls it");
    // /metrics says which replica polls it: 1 on that one, 0 on the other.
    const polls = await Promise.all(
      [a, b].map(async (t) => {
        const text = await (await fetch(`${t.url}/metrics`)).text();
        const replica = t.backend.health().cluster!.replica;
        return Number(new RegExp(`^nomnom_entity_poller\\{entity="Shipment",replica="${replica}"\\} (\\d+)$`, "m").exec(text)?.[1]);
      }),
    );
    assert.deepEqual(polls.sort(), [0, 1]);
  });

  it("events mode elects the changelog's poller: the other replica's clients get every insert, update and delete", { timeout: 60_000 }, async () => {
    const db = await database();
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text)");
    const yaml = `database: { url: "${db.url}" }\npolling: { interval_ms: 100, mode: events }\ncluster: { name: ${uniqueName("nnc")}, bus: "${NATS_URL}" }\nentities:\n  - { name: Order, table: orders }\n`;
    await migrate(db.dialect, (await parseConfig(yaml, "test.yaml", {})).entities, "test.yaml");
    const a = await replica(db, yaml);
    const b = await replica(db, yaml);
    await until("one polls the changelog", () => [a, b].map((t) => t.backend.health().entities.Order!.role).filter((r) => r === "poller").length === 1);
    const follower = [a, b].find((t) => t.backend.health().entities.Order!.role === "follower")!;
    await until("the follower has a position", () => follower.backend.health().entities.Order!.last_id !== null);
    const c = await live(follower);
    await db.dialect.execute("INSERT INTO orders (v) VALUES ('a'), ('b')");
    await db.dialect.execute("UPDATE orders SET v = 'c' WHERE id = 1");
    await db.dialect.execute("DELETE FROM orders WHERE id = 2");
    await until("the follower's client gets every change", () => ids(c, "Order", "delete").length === 1);
    assert.equal(ids(c, "Order", "insert").length, 2);
    assert.equal(ids(c, "Order", "update").length, 1);
  });

  it("a replica whose bus is down reads the database itself: its clients miss nothing, and its health says so", { timeout: 60_000 }, async () => {
    const db = await database();
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text)");
    const name = uniqueName("nnc");
    const yaml = (bus: string) => `database: { url: "${db.url}" }\npolling: { interval_ms: 100 }\ncluster: { name: ${name}, bus: "${bus}" }\nentities:\n  - { name: Order, table: orders }\n`;
    const a = await replica(db, yaml(NATS_URL));
    await until("a polls", () => a.backend.health().entities.Order!.role === "poller");
    const b = await replica(db, yaml("nats://127.0.0.1:1")); // nothing listens there
    await until("b reads the database itself", () => b.backend.health().entities.Order!.follows === "database");
    const h = b.backend.health();
    assert.equal(h.entities.Order!.role, "follower", "the lock is a's");
    assert.equal(h.cluster!.bus, "down");
    const c = await live(b);
    await db.dialect.execute("INSERT INTO orders (v) SELECT 'x' FROM generate_series(1, 4)");
    await until("b's client gets the rows", () => ids(c, "Order").length >= 4);
    await sleep(300);
    assert.deepEqual(ids(c, "Order"), [1, 2, 3, 4]);
  });
});
