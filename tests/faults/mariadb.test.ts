/**
 * The fault suite on MariaDB (helpers/fault-suite.ts), against a private server the test starts, so
 * that it can also kill and restart it: black hole, pause and reset of the network, a server restart
 * (SIGKILL, then crash recovery), and `kill -9` of the backend, with writers inserting and clients
 * counting — no row lost, none twice.
 */
import { describe } from "node:test";
import type { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { faultSuite } from "../helpers/fault-suite.ts";
import { privateMariadbSkipReason, startPrivateMariadb } from "../helpers/mariadb-server.ts";
import { contractSchema } from "../helpers/schema.ts";

describe("faults on mariadb", { skip: privateMariadbSkipReason() }, () => {
  faultSuite(async () => {
    const server = await startPrivateMariadb();
    const db = await createTestDatabase("mariadb", { server: server.url });
    await db.dialect.execute(contractSchema("mariadb"));
    const pool = (db.dialect as MysqlDialect).pool;
    return {
      name: "MariaDB",
      host: "127.0.0.1",
      port: server.port,
      urlThrough: (port) => {
        const u = new URL(db.url!);
        u.port = String(port);
        return u.toString();
      },
      insert: () => pool.query("INSERT INTO orders (order_key) VALUES ('fault')"),
      committed: async () => ((await pool.query("SELECT id FROM orders ORDER BY id"))[0] as { id: string }[]).map((r) => Number(r.id)),
      restart: () => server.restart(),
      async teardown() {
        await db.drop().catch(() => {});
        await server.stop();
      },
    };
  });
});
