/**
 * The fault suite on MariaDB (helpers/fault-suite.ts), on a database of its own on the shared server:
 * black hole, pause and reset of the network, and `kill -9` of the backend, with writers inserting and
 * clients counting — no row lost, none twice.
 */
import { describe } from "node:test";
import type { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase, skipReason } from "../helpers/databases.ts";
import { faultSuite } from "../helpers/fault-suite.ts";
import { contractSchema } from "../helpers/schema.ts";

describe("faults on mariadb", { skip: await skipReason("mariadb") }, () => {
  faultSuite(async () => {
    const db = await createTestDatabase("mariadb");
    await db.dialect.execute(contractSchema("mariadb"));
    const pool = (db.dialect as MysqlDialect).pool;
    const url = new URL(db.url!);
    return {
      name: "MariaDB",
      host: url.hostname,
      port: Number(url.port || 3306),
      urlThrough: (port) => {
        const u = new URL(db.url!);
        u.port = String(port);
        return u.toString();
      },
      insert: () => pool.query("INSERT INTO orders (order_key) VALUES ('fault')"),
      committed: async () => ((await pool.query("SELECT id FROM orders ORDER BY id"))[0] as { id: string }[]).map((r) => Number(r.id)),
      teardown: () => db.drop(),
    };
  });
});
