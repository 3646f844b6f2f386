/**
 * Every statement has a deadline (db/deadline.ts): the server cancels one that runs past
 * `query_timeout_ms`, and one the server does not answer at all — the network black-holed — is
 * abandoned a little later, its connection replaced, so the next statement works. PostgreSQL and MariaDB.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { QueryTimeoutError } from "../../backend/db/deadline.ts";
import type { Dialect } from "../../backend/db/dialect.ts";
import { MysqlDialect } from "../../backend/db/mysql.ts";
import { PostgresDialect } from "../../backend/db/postgres.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";

const TIMEOUT_MS = 1000;

for (const kind of ["postgres", "mariadb"] as DbKind[]) {
  describe(`query deadlines on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let dialect: Dialect;
    before(async () => {
      db = await createTestDatabase(kind);
      const url = new URL(db.url!);
      proxy = new TcpProxy(url.hostname, Number(url.port || (kind === "mariadb" ? 3306 : 5432)));
      url.port = String(await proxy.listen());
      dialect = kind === "mariadb" ? await MysqlDialect.open(url.toString(), { queryTimeoutMs: TIMEOUT_MS }) : new PostgresDialect(url.toString(), { queryTimeoutMs: TIMEOUT_MS });
    });
    after(async () => {
      await dialect?.close().catch(() => {});
      await proxy?.cut();
      await db?.drop();
    });

    it("the server cancels a statement past the timeout, and the connection stays usable", async () => {
      const started = Date.now();
      await assert.rejects(dialect.execute(kind === "mariadb" ? "SELECT SLEEP(5)" : "SELECT pg_sleep(5)"), (e: Error) => !(e instanceof QueryTimeoutError) && /cancel|interrupt|timeout/i.test(e.message));
      const took = Date.now() - started;
      assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + 900, `cancelled after ${took} ms`);
      await dialect.ping();
    });

    it("a statement the server never answers is abandoned, its connection replaced, and the next one works", async () => {
      await dialect.ping();
      proxy.blackhole();
      const started = Date.now();
      await assert.rejects(dialect.ping(), QueryTimeoutError);
      const took = Date.now() - started;
      assert.ok(took >= TIMEOUT_MS && took < 2 * TIMEOUT_MS + 1000, `abandoned after ${took} ms`);
      proxy.heal();
      await dialect.ping();
      assert.ok(proxy.connections >= 1);
    });
  });
}
