/**
 * Which InnoDB transactions may still commit a key (MysqlDialect.writers, innodb-writers.ts): the
 * bookkeeping on its own, then on the real MariaDB the two hazards the header of
 * backend/db/innodb-writers-reader.ts reasons about — a statement that is running before InnoDB has started its transaction (the window
 * after an auto-increment value is taken), and the 0.1 s cache behind information_schema.INNODB_TRX.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import { InnodbWriterTracker, type ThreadSample, type TrxSample } from "../../backend/db/innodb-writers.ts";
import { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { contractSchema } from "../helpers/schema.ts";

const overlap = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].some((t) => b.has(t));
const idle = (thread: string): ThreadSample => ({ thread, busy: false });
const busy = (thread: string): ThreadSample => ({ thread, busy: true });
const trx = (thread: string, id: string, started = "2026-01-01 00:00:00", rowsModified = 1, cannotWrite = false): TrxSample => ({ thread, id, started, rowsModified, cannotWrite });

describe("InnoDB writers bookkeeping", () => {
  it("follows a read-write transaction by its id until it ends", () => {
    const t = new InnodbWriterTracker();
    const r1 = t.observe([idle("7")], [trx("7", "1001")]);
    const r2 = t.observe([busy("7")], [trx("7", "1001")]);
    const r3 = t.observe([idle("7")], []);
    assert.ok(overlap(r1, r2), "alive at both readings: shared token");
    assert.equal(r3.size, 0, "ended: nothing left");
    assert.ok(!overlap(r1, t.observe([idle("7")], [trx("7", "1002")])), "the connection's next transaction is another writer");
  });

  it("a statement running before its transaction started stays a writer through the transaction it starts", () => {
    const t = new InnodbWriterTracker();
    const window = t.observe([busy("8")], []); // value taken, no transaction in INNODB_TRX yet
    assert.equal(window.size, 1);
    const inserting = t.observe([busy("8")], [trx("8", "2001")]);
    const idleInTrx = t.observe([idle("8")], [trx("8", "2001")]);
    assert.ok(overlap(window, inserting), "the transaction it started carries the earlier token");
    assert.ok(overlap(window, idleInTrx), "…as long as that transaction runs");
    const ended = t.observe([idle("8")], []);
    assert.ok(!overlap(window, ended));
  });

  it("a transaction that had no real id yet is recognised after the insert gives it one", () => {
    const t = new InnodbWriterTracker();
    const before = t.observe([busy("9")], [trx("9", "0", "2026-01-01 00:00:05", 0)]); // started read-only (MariaDB prints 0)
    const afterInsert = t.observe([idle("9")], [trx("9", "3001", "2026-01-01 00:00:05", 1)]);
    assert.ok(overlap(before, afterInsert));
  });

  it("leaves out what cannot hold a key: idle and unmodified, read-only, autocommit selects; drops a finished statement", () => {
    const t = new InnodbWriterTracker();
    assert.equal(t.observe([idle("1")], [trx("1", "0", "s", 0)]).size, 0, "idle reader");
    assert.equal(t.observe([busy("2")], [trx("2", "0", "s", 0, true)]).size, 0, "autocommit non-locking select");
    assert.equal(t.observe([busy("3")], [trx("3", "0", "s", 0)]).size, 1, "a running statement in a transaction may be inserting");
    const running = t.observe([busy("4")], []);
    assert.ok(!overlap(running, t.observe([idle("4")], [])), "its statement ended without a transaction");
  });

  it("does not tie a token to a later transaction of the same connection", () => {
    const t = new InnodbWriterTracker();
    const first = t.observe([busy("5")], [trx("5", "0", "2026-01-01 00:00:01", 0)]);
    const later = t.observe([idle("5")], [trx("5", "4001", "2026-01-01 00:00:02", 1)]);
    assert.ok(!overlap(first, later), "a different start: another transaction");
  });
});

describe("InnoDB writers on mariadb", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  let dialect: MysqlDialect;
  const conns: mysql.Connection[] = [];
  const connect = async () => {
    const c = await mysql.createConnection({ uri: db.url! });
    conns.push(c);
    return c;
  };
  const ref = { table: "orders", key: "id" };
  before(async () => {
    db = await createTestDatabase("mariadb");
    dialect = db.dialect as MysqlDialect;
    await db.dialect.execute(contractSchema("mariadb"));
  });
  after(async () => {
    for (const c of conns) await c.end().catch(() => {});
    await db?.drop();
  });

  /** What PROCESSLIST says a thread is doing (always live). */
  async function state(thread: number): Promise<{ command: string; state: string }> {
    const [rows] = (await dialect.pool.query("SELECT COMMAND AS command, STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?", [thread])) as unknown as [
      { command: string; state: string }[],
    ];
    return rows[0]!;
  }

  /** `everyMs` above 100 when the check reads INNODB_TRX, whose cache only refreshes when left unread for 0.1 s. */
  async function until(what: string, check: () => Promise<boolean>, everyMs = 20): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  it("a statement running before InnoDB starts its transaction is a writer until the transaction it starts ends", { timeout: 60_000 }, async () => {
    const lock1 = `${db.url!.split("/").pop()}_w1`;
    const lock2 = `${db.url!.split("/").pop()}_w2`;
    await db.dialect.execute(`CREATE PROCEDURE held_insert() BEGIN DO GET_LOCK('${lock1}', 60); INSERT INTO orders (order_key) VALUES ('w'); DO GET_LOCK('${lock2}', 60); END`);
    const holder = await connect();
    await holder.query(`SELECT GET_LOCK('${lock1}', 0), GET_LOCK('${lock2}', 0)`);
    const writer = await connect();
    await writer.query("SET autocommit = 0");
    const call = writer.query("CALL held_insert()");

    // 1. Executing, no InnoDB transaction yet: this is where a taken auto-increment value has no transaction to show.
    await until("the call to wait on the first lock", async () => (await state(writer.threadId)).state === "User lock");
    const fence = await dialect.writers(ref);
    assert.ok([...fence].some((t) => t.startsWith(`c:${writer.threadId}:`)), `the running statement is a writer: ${[...fence].join(" ")}`);

    // 2. The insert has started the transaction; the statement is still running.
    await holder.query(`DO RELEASE_LOCK('${lock1}')`);
    await until("the insert", async () => {
      const [[n]] = (await dialect.pool.query("SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?", [writer.threadId])) as unknown as [[{ n: number }]];
      return Number(n.n) === 1 && (await state(writer.threadId)).state === "User lock";
    }, 150);
    const inserting = await dialect.writers(ref);
    assert.ok([...inserting].some((t) => t.startsWith("x:")), "its transaction now has a real id");
    assert.ok(overlap(fence, inserting), "and is recognised as the writer seen before it started");

    // 3. The statement is over; the transaction stays open.
    await holder.query(`DO RELEASE_LOCK('${lock2}')`);
    await call;
    assert.equal((await state(writer.threadId)).command, "Sleep");
    assert.ok(overlap(fence, await dialect.writers(ref)), "an open transaction holding the value still fences the gap");

    // 4. Committed: the fence is gone.
    await writer.query("COMMIT");
    assert.ok(!overlap(fence, await dialect.writers(ref)), "after the commit no writer of the fence remains");
  });

  it("several backends reading at once each get fresh readings promptly (no lock-step staleness)", { timeout: 120_000 }, async () => {
    // Every read of INNODB_TRX restarts the server's 0.1 s refill clock, so readers in step could keep
    // each other stale for good; each reading must still complete well inside the poller's patience.
    const readers = await Promise.all([0, 1, 2].map(() => MysqlDialect.open(db.url!)));
    try {
      const durations = await Promise.all(
        readers.map(async (d, i) => {
          await new Promise((r) => setTimeout(r, i * 40)); // out of phase: each read lands within 0.1 s of another's
          const took: number[] = [];
          for (let i = 0; i < 12; i++) {
            const t0 = Date.now();
            await d.writers(ref);
            took.push(Date.now() - t0);
          }
          return took;
        }),
      );
      const slowest = Math.max(...durations.flat());
      assert.ok(slowest < 3000, `slowest reading took ${slowest} ms: ${JSON.stringify(durations)}`);
    } finally {
      await Promise.all(readers.map((d) => d.close()));
    }
  });

  it("never takes a reading from a stale INNODB_TRX cache", { timeout: 60_000 }, async () => {
    const other = await connect();
    const writer = await connect();
    let ok = false;
    for (let attempt = 0; attempt < 5 && !ok; attempt++) {
      await new Promise((r) => setTimeout(r, 250)); // let the cache age past its idle time
      // Someone else fills the cache; within the next 0.1 s the server answers every reader from it.
      await other.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX");
      const filledAt = Date.now();
      await writer.query("START TRANSACTION");
      await writer.query("INSERT INTO orders (order_key) VALUES ('after the fill')");
      const calledAt = Date.now();
      const reading = await dialect.writers(ref);
      await new Promise((r) => setTimeout(r, 250));
      const [[own]] = (await writer.query("SELECT CAST(trx_id AS CHAR) AS id FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()")) as unknown as [[{ id: string }]];
      await writer.query("ROLLBACK");
      if (calledAt - filledAt > 60) continue; // too slow to be inside the cache's idle time: not a test of it
      assert.ok(reading.has(`x:${own.id}`), `the transaction begun after the cache was filled is among the writers: ${[...reading].join(" ")}`);
      ok = true;
    }
    assert.ok(ok, "the machine was too busy to call writers() within 60 ms of the cache fill in 5 attempts");
  });
});
