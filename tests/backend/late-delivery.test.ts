/**
 * A row whose key the stream passed at `gap_timeout_ms` (its transaction still open) and that commits
 * later reaches the clients that were live — once, marked `late` — and a client resuming with a cursor
 * does not get it twice. On PostgreSQL and MariaDB, where an open INSERT holds its key unseen.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { PostgresDialect } from "../../backend/db/postgres.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const ids = (c: TestClient) => c.changes("Order").map((m) => Number(m.id));

/** A transaction that inserted one row and stays open: its key is taken, its row unseen until `commit`. */
async function openInsert(db: TestDatabase): Promise<{ key: number; commit(): Promise<void>; rollback(): Promise<void> }> {
  if (db.kind === "mariadb") {
    const conn = await mysql.createConnection({ uri: db.url! });
    await conn.query("START TRANSACTION");
    const [r] = (await conn.query("INSERT INTO orders (order_key) VALUES ('late')")) as unknown as [{ insertId: number }];
    const end = async (how: string) => {
      await conn.query(how);
      await conn.end();
    };
    return { key: r.insertId, commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
  }
  const conn = await (db.dialect as PostgresDialect).sql.reserve();
  await conn.unsafe("BEGIN");
  const [r] = (await conn.unsafe("INSERT INTO orders (order_key) VALUES ('late') RETURNING id")) as unknown as [{ id: string }];
  const end = async (how: string) => {
    await conn.unsafe(how);
    conn.release();
  };
  return { key: Number(r.id), commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
}

for (const kind of ["postgres", "mariadb"] as DbKind[]) {
  describe(`a row passed at the gap timeout that commits later, on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 2));
      tb = await startBackend(db, "polling: { interval_ms: 100, gap_timeout_ms: 1000 }\nentities:\n  - { name: Order, table: orders }\n");
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("reaches the live clients marked late, once, and a client resuming with a cursor does not get it again", { timeout: 30_000 }, async () => {
      const live = await TestClient.connect(tb.wsUrl);
      const batched = await TestClient.connect(`${tb.wsUrl}?batch=1`);
      for (const c of [live, batched]) await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
      const late = await openInsert(db);
      await db.dialect.execute(insertOrders(10, 3));
      // Held back while the transaction is open, then passed at the timeout.
      await live.waitFor("the rows after the open key, once it is passed", () => ids(live).length === 3, 10_000);
      assert.ok(ids(live).every((id) => id > late.key));

      // A client resuming below the passed key while it is still open: its replay cannot carry the row.
      const resumedBelow = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      resumedBelow.send({ type: "subscribe", entities: ["Order"], cursor: { Order: late.key - 1 } });
      await resumedBelow.waitFor("its replay", () => resumedBelow.ofType("subscribed").length === 1 && ids(resumedBelow).length === 3);

      await late.commit();
      for (const c of [live, batched, resumedBelow]) await c.waitFor("the late row", () => ids(c).includes(late.key), 5000);
      await db.dialect.execute(insertOrders(20, 1));
      for (const c of [live, batched, resumedBelow]) await c.waitFor("the row after", () => ids(c).length === 5);
      await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive now

      const committed = (await db.dialect.range({ table: "orders", key: "id" }, { upTo: 2n ** 62n, limit: 1000 })).map((r) => Number(r.id)).filter((id) => id > 2);
      for (const c of [live, batched, resumedBelow]) {
        assert.deepEqual([...ids(c)].sort((a, b) => a - b), committed, "every committed row, once");
        const lateOnes = c.changes("Order").filter((m) => m.late);
        assert.deepEqual(
          lateOnes.map((m) => [Number(m.id), m.data.order_key]),
          [[late.key, "late"]],
          "the late row is marked late",
        );
      }

      // Resuming past the late key (from the highest id received): nothing again.
      const cursor = Math.max(...ids(live));
      const resumed = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      resumed.send({ type: "subscribe", entities: ["Order"], cursor: { Order: cursor } });
      await resumed.waitFor("subscribed", () => resumed.ofType("subscribed").length === 1);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(ids(resumed), []);

      // Resuming from before it: the row comes once, in key order, as any other.
      const replayed = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      replayed.send({ type: "subscribe", entities: ["Order"], cursor: { Order: late.key - 1 } });
      await replayed.waitFor("the replay", () => replayed.ofType("subscribed").length === 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(ids(replayed), committed.filter((id) => id >= late.key));
      assert.equal(replayed.changes("Order").filter((m) => m.late).length, 0);

      const stats = (await (await fetch(`${tb.url}/api/stats`)).json()) as Record<string, { total: number; last_id: number }>;
      assert.equal(stats.Order!.total, 2 + committed.length, "the late row counts, once");
      assert.equal(stats.Order!.last_id, cursor, "and does not move the last id back");
      await Promise.all([live, batched, resumedBelow, resumed, replayed].map((c) => c.close()));
    });

    it("a passed key whose transaction rolls back is let go, and nothing late arrives", { timeout: 30_000 }, async () => {
      const live = await TestClient.connect(tb.wsUrl);
      await live.waitFor("subscribed", () => live.ofType("subscribed").length === 1);
      const late = await openInsert(db);
      await db.dialect.execute(insertOrders(30, 1));
      await live.waitFor("the row after the open key, once it is passed", () => ids(live).length === 1, 10_000);
      await late.rollback();
      await db.dialect.execute(insertOrders(31, 1));
      await live.waitFor("the next row", () => ids(live).length === 2);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(live.changes("Order").filter((m) => m.late).length, 0);
      assert.ok(!ids(live).includes(late.key));
      await live.close();
    });
  });
}
