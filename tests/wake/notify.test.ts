/**
 * The `notify` doorbell: on PostgreSQL and PGlite, in table mode (the wake triggers `migrate` installs
 * with `polling.wake: notify`) and in events mode (the changelog triggers notify), a committed row
 * reaches a client far sooner than the poll interval — each within 500 ms at a 5,000 ms interval. A
 * setting the database cannot honour is refused at start, saying what to run. On PostgreSQL, killing
 * the LISTEN connection loses no row: polling goes on without it, it reconnects, and health says so.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { Backend } from "../../backend/backend.ts";
import { ConfigError } from "../../backend/config/errors.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { createLogger } from "../../backend/log.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import type { TestClient } from "../helpers/ws-client.ts";
import { health, liveClient, rowLatency, waitForWake } from "./support.ts";

const ENTITIES = "entities:\n  - { name: Order, table: orders, timestamp: created_at }\n  - { name: OrderLineItem, table: order_line_items }\n";
const yaml = (polling: string) => `polling: { interval_ms: 5000, ${polling} }\n${ENTITIES}`;

for (const kind of ["pglite", "postgres"] as DbKind[]) {
  describe(`the notify doorbell on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend | null = null;
    let client: TestClient | null = null;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
    });
    afterEach(async () => {
      await client?.close();
      await tb?.stop();
      client = tb = null;
    });
    after(async () => {
      await db?.drop();
    });

    it("refuses polling.wake: notify while no trigger signals, naming migrate", async () => {
      const config = await parseConfig(yaml("wake: notify"), "test.yaml");
      const { dialect, owned } = await db.backendDialect();
      try {
        await assert.rejects(Backend.create({ config, dialect, log: createLogger("silent"), source: "test.yaml" }), (e: unknown) => e instanceof ConfigError && /polling\.wake: is notify, but no trigger signals .*nomnom-live migrate/s.test(e.message));
      } finally {
        if (owned) await dialect.close();
      }
    });

    it("table mode: the wake triggers migrate installs bring each row within 500 ms at a 5,000 ms interval", async () => {
      const config = await parseConfig(yaml("wake: notify"), "test.yaml");
      const result = await migrate(db.dialect, config.entities, "test.yaml", config.polling);
      assert.equal(result.installed, "wake");
      assert.match(result.sql, /AFTER INSERT ON "orders" FOR EACH STATEMENT EXECUTE FUNCTION "nomnom_live_wake"\('Order'\)/);
      // auto finds them from now on.
      tb = await startBackend(db, yaml("wake: auto"));
      const wake = await waitForWake(tb, "listening", (w) => w.connected);
      assert.deepEqual([wake.setting, wake.active], ["auto", "notify"]);
      client = await liveClient(tb);
      await new Promise((r) => setTimeout(r, 300));
      const latencies: number[] = [];
      for (let id = 1; id <= 5; id++) {
        latencies.push(await rowLatency(db, client, id));
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(Math.max(...latencies) < 500, `latencies ${latencies.join(", ")} ms at a 5000 ms interval`);
      assert.deepEqual(
        client.changes("Order").map((c) => Number(c.id)),
        [1, 2, 3, 4, 5],
      );
    });

    it("events mode: the changelog triggers bring each change within 500 ms at a 5,000 ms interval", async () => {
      const config = await parseConfig(yaml("mode: events"), "test.yaml");
      await migrate(db.dialect, config.entities, "test.yaml", config.polling);
      tb = await startBackend(db, yaml("mode: events"));
      const wake = await waitForWake(tb, "listening", (w) => w.connected);
      assert.deepEqual([wake.setting, wake.active], ["auto", "notify"]);
      client = await liveClient(tb);
      await new Promise((r) => setTimeout(r, 300));
      const latencies: number[] = [];
      for (let id = 101; id <= 105; id++) latencies.push(await rowLatency(db, client, id));
      assert.ok(Math.max(...latencies) < 500, `latencies ${latencies.join(", ")} ms at a 5000 ms interval`);
      assert.equal(client.changes("Order").length, 5);
    });
  });
}

describe("losing the LISTEN connection on postgres", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let client: TestClient;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    const config = await parseConfig(yaml("wake: notify"), "test.yaml");
    await migrate(db.dialect, config.entities, "test.yaml", config.polling);
    tb = await startBackend(db, yaml("wake: notify"));
    client = await liveClient(tb);
  });
  after(async () => {
    await client?.close();
    await tb?.stop();
    await db?.drop();
  });

  it("loses no row: polling goes on, the bell reconnects and rings again, and health reports the drop", { timeout: 60_000 }, async () => {
    await waitForWake(tb, "listening", (w) => w.connected);
    const pid = tb.backend.wake.pid;
    assert.ok(pid, "the bell's session");
    // Rows committed around the kill, with no pause between: none may go missing.
    const writes = (async () => {
      for (let i = 0; i < 20; i++) {
        await db.dialect.execute(insertOrders(i * 5 + 1, 5));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    await db.dialect.execute(`SELECT pg_terminate_backend(${pid})`);
    await writes;
    await client.waitFor("all 100 rows", () => client.changes("Order").length === 100, 15_000);
    assert.deepEqual(
      client.changes("Order").map((c) => Number(c.id)),
      Array.from({ length: 100 }, (_, i) => i + 1),
      "every row once, in order",
    );
    const back = await waitForWake(tb, "listening again", (w) => w.connected && w.drops === 1);
    assert.match(back.last_error ?? "", /closed|terminat/i);
    assert.notEqual(tb.backend.wake.pid, pid, "a new session listens");
    assert.equal((await health(tb)).status, "ok");
    const latency = await rowLatency(db, client, 101);
    assert.ok(latency < 500, `after the reconnect: ${latency} ms at a 5000 ms interval`);
  });
});
