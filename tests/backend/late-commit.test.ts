/**
 * A transaction that has drawn a key but not yet written its row (so it may have no transaction id yet)
 * must hold the stream back for as long as it stays open, and its row must arrive first when it commits.
 * A rolled-back one releases the stream as soon as it ends. (Real PostgreSQL: needs concurrent sessions.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HealthResponse } from "../../contract/rest.ts";
import type { PostgresDialect } from "../../backend/db/postgres.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a late writer on postgres", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let sql: PostgresDialect["sql"];
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    // A first row: the sequence has then logged ahead, so later draws take no transaction id.
    await db.dialect.execute("INSERT INTO orders (order_key) VALUES ('first')");
    sql = (db.dialect as PostgresDialect).sql;
    tb = await startBackend(db, "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n");
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  /** Opens a transaction that is exactly where an INSERT is after drawing its key: table locked, key taken, row not written. */
  async function drawKey() {
    const conn = await sql.reserve();
    await conn.unsafe("BEGIN");
    await conn.unsafe("LOCK TABLE orders IN ROW EXCLUSIVE MODE");
    const [{ k }] = (await conn.unsafe("SELECT nextval(pg_get_serial_sequence('orders', 'id'))::int AS k")) as unknown as [{ k: number }];
    const [{ xid }] = (await conn.unsafe("SELECT pg_current_xact_id_if_assigned()::text AS xid")) as unknown as [{ xid: string | null }];
    return { conn, k, xid };
  }

  it("holds later rows while the key's transaction is open, then delivers its row first", async () => {
    const client = await TestClient.connect(tb.wsUrl);
    await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
    const late = await drawKey();
    assert.equal(late.xid, null, "the open transaction has no transaction id: a snapshot horizon cannot see it");
    await db.dialect.execute("INSERT INTO orders (order_key) VALUES ('after-1'), ('after-2')");
    await sleep(1500); // fifteen poll intervals
    assert.deepEqual(client.changes("Order"), [], "nothing passes the open gap");
    const health = (await (await fetch(`${tb.url}/api/health`)).json()) as HealthResponse;
    assert.equal(health.entities.Order!.waiting_on_gap?.after_id, late.k - 1);

    await late.conn.unsafe(`INSERT INTO orders (id, order_key) VALUES (${late.k}, 'late')`);
    await late.conn.unsafe("COMMIT");
    late.conn.release();
    await client.waitFor("all three rows", () => client.changes("Order").length === 3);
    assert.deepEqual(
      client.changes("Order").map((m) => [Number(m.id), m.data.order_key]),
      [
        [late.k, "late"],
        [late.k + 1, "after-1"],
        [late.k + 2, "after-2"],
      ],
    );
    await client.close();
  });

  it("releases the stream promptly when the key's transaction rolls back", async () => {
    const client = await TestClient.connect(tb.wsUrl);
    await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
    const late = await drawKey();
    await db.dialect.execute("INSERT INTO orders (order_key) VALUES ('after-rollback')");
    await sleep(500);
    assert.deepEqual(client.changes("Order"), []);
    const rolledBackAt = Date.now();
    await late.conn.unsafe("ROLLBACK");
    late.conn.release();
    await client.waitFor("the row after the rolled-back key", () => client.changes("Order").length === 1);
    assert.ok(Date.now() - rolledBackAt < 1000, `released ${Date.now() - rolledBackAt} ms after the rollback`);
    assert.deepEqual(
      client.changes("Order").map((m) => Number(m.id)),
      [late.k + 1],
    );
    const metrics = await (await fetch(`${tb.url}/metrics`)).text();
    assert.match(metrics, /nomnom_gap_keys_skipped_total\{entity="Order",reason="ended"\} [1-9]/);
    await client.close();
  });
});
