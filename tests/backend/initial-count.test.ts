/**
 * The total an entity starts from agrees with the poller: rows up to the poller's settled start
 * position are counted once at start-up, the rest once by the poller — also while a writer keeps
 * inserting through the start. (Counting the table at an arbitrary moment of the start counted the
 * rows committed between the poller's start position and the count twice.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { startBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";

const YAML = "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n";
const ROUNDS = 4;

for (const kind of ["postgres", "mariadb"] satisfies DbKind[]) {
  describe(`the starting total on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 20));
    });
    after(async () => await db?.drop());

    it("equals the table's row count when rows are inserted throughout the backend's start", { timeout: 120_000 }, async () => {
      let next = 21;
      for (let round = 0; round < ROUNDS; round++) {
        let writing = true;
        const writer = (async () => {
          while (writing) await db.dialect.execute(insertOrders(next++, 1));
        })();
        const tb = await startBackend(db, YAML);
        await new Promise((r) => setTimeout(r, 300));
        writing = false;
        await writer;
        const inserted = next - 1;
        try {
          const deadline = Date.now() + 10_000;
          while (tb.backend.stats().Order!.last_id !== inserted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          assert.equal(tb.backend.stats().Order!.last_id, inserted, "the poller saw every row");
          // Counted after the stats' own count has surely finished: the start is long settled.
          await new Promise((r) => setTimeout(r, 200));
          const { count } = await db.dialect.countRows({ table: "orders", key: "id" });
          assert.equal(count, inserted);
          assert.equal(tb.backend.stats().Order!.total, count, `round ${round + 1}: the total counts every row once`);
        } finally {
          await tb.stop();
        }
      }
    });
  });
}
