/**
 * Polling cadence: at most `max_events_per_poll` rows a poll, and a full batch is followed at once by
 * another poll, so a burst far larger than one batch arrives long before the next interval.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Dialect } from "../../backend/db/dialect.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

describe("polling cadence on pglite", () => {
  let db: TestDatabase;
  let tb: TestBackend;
  const batches: number[] = [];
  const batchTimes: number[] = [];
  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute(contractSchema("pglite"));
    const real = db.dialect;
    const recording: Dialect = Object.create(real);
    recording.pollAfter = async (t, after, limit) => {
      const rows = await real.pollAfter(t, after, limit);
      if (rows.length > 0) {
        batches.push(rows.length);
        batchTimes.push(Date.now());
      }
      return rows;
    };
    db.backendDialect = async () => ({ dialect: recording, owned: false });
    tb = await startBackend(db, "polling: { interval_ms: 5000, max_events_per_poll: 100 }\nentities:\n  - { name: Order, table: orders }\n");
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  it("reads a 1,050-row burst in batches of at most 100, back to back, within one interval", async () => {
    const c = await TestClient.connect(tb.wsUrl);
    await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
    await new Promise((r) => setTimeout(r, 5200)); // let the first interval's poll pass, so the burst waits for the next
    await db.dialect.execute(insertOrders(1, 1050));
    await c.waitFor("the whole burst", () => c.changes("Order").length === 1050, 15_000);
    assert.deepEqual(batches, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50]);
    const span = batchTimes.at(-1)! - batchTimes[0]!;
    assert.ok(span < 2500, `11 polls took ${span} ms: back to back, not one per 5 s interval`);
    assert.deepEqual(
      c.changes("Order").map((m) => Number(m.id)),
      Array.from({ length: 1050 }, (_, i) => i + 1),
    );
    await c.close();
  });
});
