/**
 * Resume: a client that reconnects with its cursor receives exactly the rows it missed — after a plain
 * disconnect and across a backend restart — and then live rows, with no gap and no duplicate.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const YAML = "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n  - { name: OrderLineItem, table: order_line_items }\n";

async function resumeWith(url: string, cursor: Record<string, number>): Promise<TestClient> {
  const c = await TestClient.connect(`${url}?subscribe=manual`);
  c.send({ type: "subscribe", cursor });
  await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
  return c;
}

const ids = (c: TestClient, entity = "Order") => c.changes(entity).map((m) => Number(m.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const kind of ALL_KINDS) {
  describe(`resume on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 10));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("replays exactly the rows missed while disconnected, then continues live", async () => {
      const first = await TestClient.connect(tb.wsUrl);
      await first.waitFor("subscribed", () => first.ofType("subscribed").length === 1);
      await db.dialect.execute(insertOrders(11, 5));
      await first.waitFor("5 live rows", () => ids(first).length === 5);
      assert.deepEqual(ids(first), range(11, 15));
      await first.close();

      await db.dialect.execute(insertOrders(16, 7));
      await new Promise((r) => setTimeout(r, 300)); // the poller has moved past them: they come from the database
      const again = await resumeWith(tb.wsUrl, { Order: 15 });
      assert.deepEqual(ids(again), range(16, 22), "exactly the missed rows, in order");
      assert.equal(again.ofType("snapshot").filter((s) => s.entity === "Order").length, 0, "no snapshot for a resumed entity");
      assert.equal(again.ofType("subscribed")[0]!.cursors.Order, 22);
      await db.dialect.execute(insertOrders(23, 2));
      await again.waitFor("live rows after the replay", () => ids(again).length === 9);
      assert.deepEqual(ids(again), range(16, 24));
      await again.close();
    });

    it("loses nothing across a backend restart for a client that resumes with its cursor", async () => {
      const client = await TestClient.connect(tb.wsUrl);
      await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
      await db.dialect.execute(insertOrders(25, 3));
      await client.waitFor("3 rows", () => ids(client).length === 3);
      const cursor = Math.max(...ids(client));

      await tb.stop(); // the client sees the socket close
      await client.waitFor("the close", () => client.closed !== null);
      assert.equal(client.closed!.code, 1001);
      await db.dialect.execute(insertOrders(28, 6)); // written while the backend is down
      tb = await startBackend(db, YAML);
      await db.dialect.execute(insertOrders(34, 2)); // written after the restart

      const resumed = await resumeWith(tb.wsUrl, { Order: cursor });
      await resumed.waitFor("every row after the cursor", () => ids(resumed).length >= 8);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(ids(resumed), range(cursor + 1, cursor + 8));
      await resumed.close();
    });

    it("refuses a cursor for an unknown entity and changes nothing", async () => {
      const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      c.send({ type: "subscribe", cursor: { Orders: 1 } });
      await c.waitFor("error", () => c.ofType("error").length === 1);
      assert.equal(c.ofType("error")[0]!.code, "unknown_entity");
      // The names it concerns, for clients to act on without parsing the message.
      assert.deepEqual(c.ofType("error")[0]!.entities, ["Orders"]);
      assert.equal(c.ofType("subscribed").length, 0);
      await c.close();
    });
  });
}
