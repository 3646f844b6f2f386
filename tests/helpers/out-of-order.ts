/**
 * The out-of-order commit workload, shared by every database it runs on: concurrent writer connections
 * each hold their transaction open for a random 0–200 ms after inserting, so keys commit out of id
 * order; some transactions roll back. Half the inserts are multi-row VALUES (a "simple insert" to
 * InnoDB), half INSERT … SELECT (a "bulk insert", whose auto-increment values are taken row by row and,
 * with innodb_autoinc_lock_mode 2, interleave with other statements'). Three clients, one of them on
 * batched frames, must each receive every committed row exactly once, in key order, and no rolled-back key.
 */
import assert from "node:assert/strict";
import type { TestBackend } from "./backend.ts";
import type { TestDatabase } from "./databases.ts";
import { TestClient } from "./ws-client.ts";

export interface OutOfOrderOptions {
  writers: number;
  targetRows: number;
  rollbackRate: number;
}

export const OUT_OF_ORDER_YAML = "polling: { interval_ms: 100, max_events_per_poll: 500 }\nentities:\n  - { name: Order, table: orders }\n";

function insertStatement(t: number, n: number, bulk: boolean): string {
  const keys = Array.from({ length: n }, (_, i) => `'T${t}-${i}'`);
  if (!bulk) return `INSERT INTO orders (order_key) VALUES ${keys.map((k) => `(${k})`).join(", ")} RETURNING id`;
  const rows = keys.map((k, i) => (i === 0 ? `SELECT ${k} AS k` : `SELECT ${k}`)).join(" UNION ALL ");
  return `INSERT INTO orders (order_key) SELECT k FROM (${rows}) AS s RETURNING id`;
}

export async function assertOutOfOrderDelivery(db: TestDatabase, tb: TestBackend, o: OutOfOrderOptions): Promise<void> {
  const clients = await Promise.all([TestClient.connect(tb.wsUrl), TestClient.connect(`${tb.wsUrl}?batch=1`), TestClient.connect(tb.wsUrl)]);
  await Promise.all(clients.map((c) => c.waitFor("subscribed", () => c.ofType("subscribed").length === 1)));

  const rolledBack = new Set<number>();
  const commitOrder: number[] = []; // the highest key of each transaction, in commit order
  let committed = 0;
  let bulkRows = 0;
  let txn = 0;
  const writer = async () => {
    while (committed < o.targetRows) {
      const n = 1 + Math.floor(Math.random() * 12);
      const rollback = Math.random() < o.rollbackRate;
      const bulk = Math.random() < 0.5;
      const t = txn++;
      let ids: number[] = [];
      try {
        await db.transaction(async (exec) => {
          const rows = (await exec(insertStatement(t, n, bulk))) as { id: unknown }[];
          ids = rows.map((r) => Number(r.id));
          await new Promise((r) => setTimeout(r, Math.random() * 200));
          if (rollback) throw new Error("planned rollback");
        });
        commitOrder.push(Math.max(...ids));
        committed += n;
        if (bulk) bulkRows += n;
      } catch (e) {
        if ((e as Error).message !== "planned rollback") throw e;
        for (const id of ids) rolledBack.add(id);
      }
    }
  };
  await Promise.all(Array.from({ length: o.writers }, writer));

  const inversions = commitOrder.filter((id, i) => i > 0 && id < commitOrder[i - 1]!).length;
  assert.ok(inversions > 100, `the workload must commit keys out of order (saw ${inversions} inversions)`);
  assert.ok(rolledBack.size > 0, "some transactions rolled back");
  assert.ok(bulkRows > 0 && bulkRows < committed, "both kinds of insert ran");

  const expected = (await db.dialect.range({ table: "orders", key: "id" }, { upTo: 2n ** 62n, limit: 1_000_000 })).map((r) => Number(r.id));
  assert.ok(expected.length >= o.targetRows);
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
}
