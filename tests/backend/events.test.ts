/**
 * `polling.mode: events` on every database: inserts, updates and deletes logged by the triggers arrive
 * as events with the row (NEW, or OLD for a delete) exactly as table mode would deliver it, in
 * commit-safe changelog order; a cursor replays from db_events; retention removes expired events the
 * stream has passed and nothing else; without the changelog the backend refuses to start and says why.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HealthResponse, RecordsResponse } from "../../contract/rest.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { EVENTS_REF } from "../../backend/events/changelog.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { Retention } from "../../backend/events/retention.ts";
import { createLogger } from "../../backend/log.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const YAML = `
polling: { interval_ms: 100, mode: events, cleanup_after_days: 7 }
server: { stats_interval_ms: 300 }
entities:
  - { name: Order, table: orders, timestamp: created_at }
  - { name: OrderLineItem, table: order_line_items }
`;
const UNBOUNDED = 1n << 62n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventIds(db: TestDatabase): Promise<number[]> {
  return (await db.dialect.range(EVENTS_REF, { upTo: UNBOUNDED, limit: 100_000 })).map((r) => Number(r.id));
}

async function position(tb: TestBackend): Promise<number> {
  const h = (await (await fetch(`${tb.url}/api/health`)).json()) as HealthResponse;
  return Number(h.entities.Order!.last_id);
}

/** Waits until the backend's changelog position has passed every event now in db_events. */
async function caughtUp(db: TestDatabase, tb: TestBackend): Promise<number> {
  const ids = await eventIds(db);
  const last = ids.length ? ids[ids.length - 1]! : 0;
  const deadline = Date.now() + 10_000;
  while ((await position(tb)) < last) {
    if (Date.now() > deadline) throw new Error(`the stream did not reach changelog id ${last}`);
    await sleep(50);
  }
  return last;
}

for (const kind of ALL_KINDS) {
  describe(`events mode on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 3));
      await migrate(db.dialect, (await parseConfig(YAML, "test.yaml")).entities, "test.yaml");
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("refuses to start without the changelog, naming `nomnom-live migrate`", async () => {
      const bare = await createTestDatabase(kind);
      try {
        await bare.dialect.execute(contractSchema(kind));
        await assert.rejects(startBackend(bare, YAML), /polling\.mode: is events, but the \w+ database has no db_events table; create it and the triggers with `nomnom-live migrate/);
      } finally {
        await bare.drop();
      }
    });

    it("streams inserts, updates and deletes as events carrying the row as table mode delivers it", async () => {
      const client = await TestClient.connect(tb.wsUrl);
      await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
      assert.equal(client.ofType("connection_ack")[0]!.data.mode, "events");
      const snapshot = client.ofType("snapshot").find((s) => s.entity === "Order")!;
      assert.deepEqual(
        snapshot.data.map((r) => Number(r.id)),
        [1, 2, 3],
        "the snapshot is the entity table's latest rows",
      );
      const row1 = snapshot.data[0]!;

      await db.dialect.execute(insertOrders(4, 1));
      await db.dialect.execute("UPDATE orders SET order_key = 'O-4b', total = 12.34 WHERE id = 4");
      await db.dialect.execute("DELETE FROM orders WHERE id = 1");
      await db.dialect.execute("INSERT INTO order_line_items (order_key, qty) VALUES ('O-4', 2)");
      await client.waitFor("three Order events and one OrderLineItem event", () => client.changes("Order").length === 3 && client.changes("OrderLineItem").length === 1);

      const events = client.changes("Order");
      assert.deepEqual(
        events.map((e) => [e.type, e.event_type, Number(e.key)]),
        [
          ["insert", "insert", 4],
          ["update", "update", 4],
          ["delete", "delete", 1],
        ],
      );
      assert.deepEqual(Object.keys(events[0]!), ["type", "entity", "event_type", "data", "timestamp", "id", "key"]);
      const ids = client.changes().map((e) => Number(e.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "changelog ids ascend across entities");
      assert.equal(new Set(ids).size, ids.length);

      const inserted = events[0]!.data;
      assert.equal(inserted.order_key, "O-4");
      assert.equal(inserted.total, "6.00", "decimals as strings, digits kept");
      assert.equal(inserted.big, "9007199254740993", "64-bit integers as strings, exact");
      assert.equal(inserted.d, "2024-10-29");
      assert.match(String(inserted.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(events[1]!.data, { ...inserted, order_key: "O-4b", total: "12.34" }, "an update carries the new row");
      assert.deepEqual(events[2]!.data, row1, "a delete carries the old row, value for value as table mode gave it");
      const item = client.changes("OrderLineItem")[0]!;
      assert.equal(item.data.qty, 2, "32-bit integers stay numbers");
      assert.equal(item.data.order_key, "O-4");
      await client.close();
    });

    it("REST history reads the entity table; its cursor is the changelog position", async () => {
      const last = await caughtUp(db, tb);
      const res = (await (await fetch(`${tb.url}/api/entities/Order/records?limit=10`)).json()) as RecordsResponse;
      assert.deepEqual(
        res.records.map((r) => Number(r.id)),
        [2, 3, 4],
      );
      assert.equal(Number(res.cursor), last);
    });

    it("resumes from a cursor by replaying db_events, then continues live", async () => {
      const cursor = await caughtUp(db, tb);
      await db.dialect.execute(insertOrders(5, 2));
      await db.dialect.execute("UPDATE orders SET total = 1.25 WHERE id = 5");
      await db.dialect.execute("DELETE FROM orders WHERE id = 2");
      await caughtUp(db, tb); // they come from the database, not from live frames
      const client = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      client.send({ type: "subscribe", cursor: { Order: cursor } });
      await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
      assert.equal(client.ofType("snapshot").filter((x) => x.entity === "Order").length, 0, "no snapshot for the resumed entity");
      const replayed = client.changes("Order");
      assert.deepEqual(
        replayed.map((e) => [e.type, Number(e.key)]),
        [
          ["insert", 5],
          ["insert", 6],
          ["update", 5],
          ["delete", 2],
        ],
      );
      assert.ok(replayed.every((e) => Number(e.id) > cursor));
      assert.equal(replayed[2]!.data.total, "1.25");
      assert.equal(Number(client.ofType("subscribed")[0]!.cursors.Order), Number(replayed[3]!.id));
      await db.dialect.execute(insertOrders(7, 1));
      await client.waitFor("the live insert after the replay", () => client.changes("Order").length === 5);
      assert.deepEqual([client.changes("Order")[4]!.type, Number(client.changes("Order")[4]!.key)], ["insert", 7]);
      await client.close();
    });

    // PGlite runs one transaction at a time: concurrent commits need a real server.
    if (kind !== "pglite")
      it("holds later events while an earlier changelog id's transaction is open (commit-safe order)", async () => {
        const client = await TestClient.connect(tb.wsUrl);
        await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
        let late: TestClient | undefined;
        await db.transaction(async (exec) => {
          await exec("INSERT INTO order_line_items (order_key, qty) VALUES ('slow', 1)"); // takes a changelog id first
          await db.dialect.execute(insertOrders(100, 1)); // another connection: a later id, committed at once
          await sleep(1000);
          assert.deepEqual(client.changes(), [], "the later event waits for the open transaction");
          // A client arriving now: O-100 is in the table but its insert event is still to come.
          late = await TestClient.connect(tb.wsUrl);
          await late.waitFor("subscribed", () => late!.ofType("subscribed").length === 1);
          const snapshot = late.ofType("snapshot").find((x) => x.entity === "Order")!;
          assert.ok(!snapshot.data.some((r) => r.order_key === "O-100"), "the snapshot leaves out a row whose insert event follows");
        });
        await client.waitFor("both events", () => client.changes().length === 2);
        assert.deepEqual(
          client.changes().map((e) => [e.entity, e.data.order_key]),
          [
            ["OrderLineItem", "slow"],
            ["Order", "O-100"],
          ],
        );
        assert.ok(Number(client.changes()[0]!.id) < Number(client.changes()[1]!.id));
        await late!.waitFor("the insert event", () => late!.changes("Order").length === 1);
        assert.equal(late!.changes("Order")[0]!.data.order_key, "O-100", "so O-100 reaches it once, as an insert");
        await client.close();
        await late!.close();
      });

    it("retention deletes expired events the stream has passed, in batches, and nothing newer", async () => {
      await db.dialect.execute(insertOrders(200, 6));
      const passed = await caughtUp(db, tb);
      const ids = await eventIds(db);
      assert.ok(ids.length >= 10);
      const expiredUpTo = ids[ids.length - 3]!; // all but the last two are made old
      await db.dialect.execute(`UPDATE db_events SET created_at = '2020-01-01 00:00:00' WHERE id <= ${expiredUpTo}`);

      // A stream that has only passed half of them: the rest stay for it.
      const half = ids[Math.floor(ids.length / 2)]!;
      const behind = new Retention({ dialect: db.dialect, days: 7, position: () => BigInt(half), log: createLogger("error"), batch: 2, pauseMs: 0 });
      const first = await behind.runOnce();
      assert.equal(first, ids.filter((id) => id <= half).length);
      assert.deepEqual(await eventIds(db), ids.filter((id) => id > half), "nothing beyond the stream position");

      // The backend's own retention, at its position (past every event).
      assert.ok(passed >= ids[ids.length - 1]!);
      const second = await tb.backend.retention!.runOnce();
      assert.equal(second, ids.filter((id) => id > half && id <= expiredUpTo).length);
      assert.deepEqual(await eventIds(db), ids.slice(-2), "events newer than the retention stay");
      assert.equal(await tb.backend.retention!.runOnce(), 0);
    });
  });
}
