/**
 * The database's own locks elect each entity's poller (db/lease-lock.ts): of two sessions asking for
 * one lock one wins; when the winner's connection dies the server releases the lock, the winner learns
 * it lost it, and the other session takes it — on PostgreSQL (advisory locks) and MariaDB (GET_LOCK).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { openLeaseLocks, type LeaseLocks } from "../../backend/db/lease-lock.ts";
import type { MysqlLeaseLocks } from "../../backend/db/mysql-lock.ts";
import { pgLockKey, type PgLeaseLocks } from "../../backend/db/pg-lock.ts";
import { MARIADB_URL, POSTGRES_URL, mariadbAdmin, mariadbUrl, skipReason, uniqueName } from "../helpers/databases.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tries `locks` every 100 ms until it wins; the milliseconds it took. */
async function acquireWithin(locks: LeaseLocks, name: string, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await locks.tryAcquire(name)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${name} not acquired within ${ms} ms`);
}

/** The election every engine must give: one winner, the lock lost with the winner's connection, taken over by the other. */
function electionSuite(open: () => Promise<[LeaseLocks, LeaseLocks]>, killSession: (locks: LeaseLocks) => Promise<void>): void {
  let a: LeaseLocks;
  let b: LeaseLocks;
  const name = uniqueName("cluster/Order");
  before(async () => {
    [a, b] = await open();
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("of two sessions asking for one lock, one wins; asking again is answered without waiting", async () => {
    assert.equal(await a.tryAcquire(name), true);
    assert.equal(await b.tryAcquire(name), false);
    assert.equal(await a.tryAcquire(name), true, "the holder holds it still");
    assert.equal(a.holds(name), true);
    assert.equal(b.holds(name), false);
    assert.equal(await b.tryAcquire(`${name}-other`), true, "another name is another lock");
    await b.release(`${name}-other`);
  });

  it("a released lock is taken by the other session", async () => {
    await a.release(name);
    assert.equal(a.holds(name), false);
    assert.equal(await b.tryAcquire(name), true);
    assert.equal(await a.tryAcquire(name), false);
    await b.release(name);
    assert.equal(await a.tryAcquire(name), true);
  });

  it("when the holder's connection dies it learns it lost the lock, and the other session takes it within a few seconds", async () => {
    const lost = new Promise<string[]>((resolve) => a.onLost((names) => resolve(names)));
    const killedAt = Date.now();
    await killSession(a);
    assert.deepEqual(await lost, [name]);
    assert.equal(a.holds(name), false);
    const took = await acquireWithin(b, name, 5000);
    process.stdout.write(`# lock taken over ${Date.now() - killedAt} ms after the holder's session was killed (${took} ms of retries)\n`);
    assert.equal(await a.tryAcquire(name), false, "the old holder, reconnected, does not get it back");
  });
}

describe("lease locks on PostgreSQL (advisory locks)", { skip: await skipReason("postgres") }, () => {
  it("derives the same key from the same name, and different keys from different names", () => {
    assert.equal(pgLockKey("c/Order"), pgLockKey("c/Order"));
    assert.notEqual(pgLockKey("c/Order"), pgLockKey("c/OrderLineItem"));
    assert.notEqual(pgLockKey("c1/Order"), pgLockKey("c2/Order"));
  });
  electionSuite(
    async () => [await openLeaseLocks(POSTGRES_URL), await openLeaseLocks(POSTGRES_URL)],
    async (locks) => {
      const pid = await (locks as PgLeaseLocks).pid();
      const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      try {
        await admin`SELECT pg_terminate_backend(${pid})`;
      } finally {
        await admin.end();
      }
    },
  );
});

describe("lease locks on MariaDB (GET_LOCK)", { skip: await skipReason("mariadb") }, () => {
  const database = uniqueName("nn_locks");
  before(async () => mariadbAdmin(`CREATE DATABASE ${database}`));
  after(async () => mariadbAdmin(`DROP DATABASE IF EXISTS ${database}`));
  electionSuite(
    async () => [await openLeaseLocks(mariadbUrl(database)), await openLeaseLocks(mariadbUrl(database).replace(/^mysql:/, "mariadb:"))],
    async (locks) => {
      const id = await (locks as MysqlLeaseLocks).threadId();
      const admin = await mysql.createConnection({ uri: MARIADB_URL });
      try {
        await admin.query(`KILL ${id}`);
      } finally {
        await admin.end();
      }
    },
  );

  it("locks of the same name in two databases are two locks (names are server-wide, so the database is in the key)", async () => {
    const other = uniqueName("nn_locks");
    await mariadbAdmin(`CREATE DATABASE ${other}`);
    const [x, y] = [await openLeaseLocks(mariadbUrl(database)), await openLeaseLocks(mariadbUrl(other))];
    try {
      assert.equal(await x.tryAcquire("c/Order"), true);
      assert.equal(await y.tryAcquire("c/Order"), true);
    } finally {
      await x.close();
      await y.close();
      await mariadbAdmin(`DROP DATABASE IF EXISTS ${other}`);
    }
  });
});
