/**
 * A late writer on MariaDB: a transaction that has taken auto-increment values and holds them open —
 * one row written, the next value taken but its row not yet written (a multi-row INSERT takes all its
 * values at once, then waits in a BEFORE INSERT trigger on a lock the test holds) — must hold back
 * every later row while it stays open, and its rows must arrive first when it commits. A rolled-back
 * one releases the stream promptly.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { HealthResponse } from "../../contract/rest.ts";
import type { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a late writer on mariadb", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let lock: string;
  const conns: mysql.Connection[] = [];
  before(async () => {
    db = await createTestDatabase("mariadb");
    lock = `${db.url!.split("/").pop()}_late`;
    await db.dialect.execute(contractSchema("mariadb"));
    await db.dialect.execute("INSERT INTO orders (order_key) VALUES ('first')");
    // The row 'late' waits here, after its statement has taken its auto-increment value.
    await db.dialect.execute(`CREATE TRIGGER hold_late BEFORE INSERT ON orders FOR EACH ROW BEGIN IF NEW.order_key = 'late' THEN DO GET_LOCK('${lock}', 60); DO RELEASE_LOCK('${lock}'); END IF; END`);
    tb = await startBackend(db, "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n");
  });
  after(async () => {
    for (const c of conns) await c.end().catch(() => {});
    await tb?.stop();
    await db?.drop();
  });

  /** A transaction that wrote 'late-a' and took the next value for 'late', whose row is not written yet. */
  async function lateWriter() {
    const holder = await mysql.createConnection({ uri: db.url! });
    const conn = await mysql.createConnection({ uri: db.url! });
    conns.push(holder, conn);
    const [[got]] = (await holder.query(`SELECT GET_LOCK('${lock}', 0) AS got`)) as unknown as [[{ got: number }]];
    assert.equal(Number(got.got), 1, "the test holds the lock the trigger waits on");
    await conn.query("START TRANSACTION");
    const insert = conn.query("INSERT INTO orders (order_key) VALUES ('late-a'), ('late')");
    const pool = (db.dialect as MysqlDialect).pool;
    for (const deadline = Date.now() + 10_000; ; ) {
      const [[s]] = (await pool.query("SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?", [conn.threadId])) as unknown as [[{ state: string }]];
      if (s.state === "User lock") break;
      if (Date.now() > deadline) throw new Error("the insert never reached the trigger's lock");
      await sleep(10);
    }
    return {
      conn,
      async release() {
        await holder.query(`DO RELEASE_LOCK('${lock}')`);
        await insert;
      },
    };
  }

  async function insertAfter(...keys: string[]): Promise<number[]> {
    const pool = (db.dialect as MysqlDialect).pool;
    const [rows] = (await pool.query(`INSERT INTO orders (order_key) VALUES ${keys.map(() => "(?)").join(", ")} RETURNING id`, keys)) as unknown as [{ id: string }[]];
    return rows.map((r) => Number(r.id));
  }

  it("holds later rows while the values' transaction is open, then delivers its rows first", async () => {
    const client = await TestClient.connect(tb.wsUrl);
    await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
    const late = await lateWriter();
    const [a1, a2] = await insertAfter("after-1", "after-2");
    const k = a1! - 2; // 'late-a' took k, 'late' took k + 1 before its row was written
    await sleep(1500); // fifteen poll intervals
    assert.deepEqual(client.changes("Order"), [], "nothing passes the open gap");
    const health = (await (await fetch(`${tb.url}/api/health`)).json()) as HealthResponse;
    assert.equal(health.entities.Order!.waiting_on_gap?.after_id, k - 1);

    await late.release();
    await late.conn.query("COMMIT");
    await client.waitFor("all four rows", () => client.changes("Order").length === 4);
    assert.deepEqual(
      client.changes("Order").map((m) => [Number(m.id), m.data.order_key]),
      [
        [k, "late-a"],
        [k + 1, "late"],
        [a1, "after-1"],
        [a2, "after-2"],
      ],
    );
    await client.close();
  });

  it("releases the stream promptly when the values' transaction rolls back", async () => {
    const client = await TestClient.connect(tb.wsUrl);
    await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
    const late = await lateWriter();
    const [after] = await insertAfter("after-rollback");
    await sleep(500);
    assert.deepEqual(client.changes("Order"), []);
    await late.release();
    const rolledBackAt = Date.now();
    await late.conn.query("ROLLBACK");
    await client.waitFor("the row after the rolled-back values", () => client.changes("Order").length === 1);
    // Two writers readings (fence, then evidence), each at least 0.1 s apart because of the INNODB_TRX cache.
    assert.ok(Date.now() - rolledBackAt < 2000, `released ${Date.now() - rolledBackAt} ms after the rollback`);
    assert.deepEqual(
      client.changes("Order").map((m) => Number(m.id)),
      [after],
    );
    const metrics = await (await fetch(`${tb.url}/metrics`)).text();
    assert.match(metrics, /nomnom_gap_keys_skipped_total\{entity="Order",reason="ended"\} [2-9]/);
    await client.close();
  });
});
