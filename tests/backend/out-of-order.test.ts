/**
 * No row is ever skipped: 16 writer connections each hold their transaction open for a random
 * 0–200 ms after inserting, so keys commit out of order; some transactions roll back. Three clients
 * must each receive every committed row exactly once, in key order, and no rolled-back key.
 * (PGlite runs one transaction at a time, so out-of-order commits need a real server.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { TestClient } from "../helpers/ws-client.ts";
import { contractSchema } from "../helpers/schema.ts";

const WRITERS = 16;
const TARGET_ROWS = 10_000;
const ROLLBACK_RATE = 0.08;

for (const kind of ALL_KINDS.filter((k) => k !== "pglite")) {
  describe(`out-of-order commits on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      tb = await startBackend(db, "polling: { interval_ms: 100, max_events_per_poll: 500 }\nentities:\n  - { name: Order, table: orders }\n");
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it(`delivers ${TARGET_ROWS}+ rows from ${WRITERS} concurrent writers exactly once, in order, to three clients`, { timeout: 180_000 }, async () => {
      const clients = await Promise.all([TestClient.connect(tb.wsUrl), TestClient.connect(`${tb.wsUrl}?batch=1`), TestClient.connect(tb.wsUrl)]);
      await Promise.all(clients.map((c) => c.waitFor("subscribed", () => c.ofType("subscribed").length === 1)));

      const rolledBack = new Set<number>();
      const commitOrder: number[] = []; // the highest key of each transaction, in commit order
      let committed = 0;
      let txn = 0;
      const writer = async () => {
        while (committed < TARGET_ROWS) {
          const n = 1 + Math.floor(Math.random() * 12);
          const rollback = Math.random() < ROLLBACK_RATE;
          const t = txn++;
          let ids: number[] = [];
          try {
            await db.transaction(async (exec) => {
              const values = Array.from({ length: n }, (_, i) => `('T${t}-${i}', NULL, NULL, NULL)`).join(", ");
              const rows = (await exec(`INSERT INTO orders (order_key, total, big, d) VALUES ${values} RETURNING id`)) as { id: unknown }[];
              ids = rows.map((r) => Number(r.id));
              await new Promise((r) => setTimeout(r, Math.random() * 200));
              if (rollback) throw new Error("planned rollback");
            });
            commitOrder.push(Math.max(...ids));
            committed += n;
          } catch (e) {
            if ((e as Error).message !== "planned rollback") throw e;
            for (const id of ids) rolledBack.add(id);
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, writer));

      const inversions = commitOrder.filter((id, i) => i > 0 && id < commitOrder[i - 1]!).length;
      assert.ok(inversions > 100, `the workload must commit keys out of order (saw ${inversions} inversions)`);
      assert.ok(rolledBack.size > 0, "some transactions rolled back");

      const expected = (await db.dialect.range({ table: "orders", key: "id" }, { upTo: 2n ** 62n, limit: 1_000_000 })).map((r) => Number(r.id));
      assert.ok(expected.length >= TARGET_ROWS);
      for (const [i, c] of clients.entries()) {
        await c.waitFor(`client ${i} to receive ${expected.length} rows`, () => c.changes("Order").length >= expected.length, 60_000);
        await new Promise((r) => setTimeout(r, 300)); // anything extra (a duplicate) would arrive now
        const got = c.changes("Order").map((m) => Number(m.id));
        assert.equal(got.length, expected.length, `client ${i}: ${got.length} rows received, ${expected.length} committed`);
        assert.equal(new Set(got).size, got.length, `client ${i}: duplicates`);
        assert.deepEqual(got, expected, `client ${i}: every committed row, in key order`);
        assert.equal(got.filter((id) => rolledBack.has(id)).length, 0, `client ${i}: a rolled-back key arrived`);
      }
      await Promise.all(clients.map((c) => c.close()));
    });
  });
}
