/**
 * The out-of-order workload on MariaDB servers started with each of InnoDB's other auto-increment lock
 * modes (the machine's server runs the default, 1 "consecutive"): 0 "traditional" holds the table's
 * AUTO-INC lock to the end of every insert statement, 2 "interleaved" (MySQL 8's default) lets
 * concurrent statements, bulk inserts included, take values in turn. The gap-safe cursor must deliver
 * every committed row exactly once, in order, under both. Each mode gets a private server
 * (tests/helpers/mariadb-server.ts), since the mode can only be set at server start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { assertOutOfOrderDelivery, OUT_OF_ORDER_YAML } from "../helpers/out-of-order.ts";
import { privateMariadbSkipReason, startPrivateMariadb, type PrivateMariadb } from "../helpers/mariadb-server.ts";

const OPTIONS = { writers: 16, targetRows: 10_000, rollbackRate: 0.08 };

for (const mode of [0, 2]) {
  describe(`out-of-order commits on MariaDB with innodb_autoinc_lock_mode=${mode}`, { skip: privateMariadbSkipReason() }, () => {
    let server: PrivateMariadb;
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      server = await startPrivateMariadb([`--innodb-autoinc-lock-mode=${mode}`, "--max-connections=200"]);
      db = await createTestDatabase("mariadb", { server: server.url });
      await db.dialect.execute(contractSchema("mariadb"));
      tb = await startBackend(db, OUT_OF_ORDER_YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
      await server?.stop();
    });

    it(`runs in mode ${mode}`, async () => {
      const conn = await mysql.createConnection({ uri: server.url });
      const [rows] = await conn.query("SELECT @@innodb_autoinc_lock_mode AS mode");
      await conn.end();
      assert.equal(Number((rows as { mode: unknown }[])[0]!.mode), mode);
    });

    it(`delivers ${OPTIONS.targetRows}+ rows from ${OPTIONS.writers} concurrent writers exactly once, in order, to three clients`, { timeout: 180_000 }, () =>
      assertOutOfOrderDelivery(db, tb, OPTIONS));
  });
}
