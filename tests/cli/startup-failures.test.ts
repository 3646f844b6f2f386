/**
 * What an operator sees when `nomnom-live serve` cannot start: a database that does not exist, a host
 * where nothing listens, a role that does not exist, a password the server refuses, a port another
 * program holds. Each ends the process with its documented exit code (69 database, 98 port) and one
 * or two lines — what is wrong, then what to do — never a stack trace. On the real PostgreSQL and
 * MariaDB, as separate processes.
 */
import { after, before, describe, it } from "node:test";
import type { Server } from "node:net";
import { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase, mariadbAdmin, MARIADB_URL, POSTGRES_URL, skipReason, uniqueName, type TestDatabase } from "../helpers/databases.ts";
import { assertFailure, cli, closedPort, listening } from "./cli-process.ts";

/** `base` with some of its parts replaced. */
function urlWith(base: string, parts: { username?: string; password?: string; port?: number; database?: string }): string {
  const u = new URL(base);
  if (parts.username !== undefined) u.username = parts.username;
  if (parts.password !== undefined) u.password = parts.password;
  if (parts.port !== undefined) u.port = String(parts.port);
  if (parts.database !== undefined) u.pathname = `/${parts.database}`;
  return u.toString();
}

const serve = (databaseUrl: string, env: Record<string, string> = {}) => cli(["serve"], { DATABASE_URL: databaseUrl, PORT: "0", ...env });

describe("serve cannot start: PostgreSQL", { skip: await skipReason("postgres") }, () => {
  it("a database that does not exist: 69, naming it", async () => {
    const missing = uniqueName("nn_missing");
    assertFailure(await serve(urlWith(POSTGRES_URL, { database: missing })), 69, new RegExp(`has no database "${missing}"\\.\\n.*CREATE DATABASE`));
  });

  it("a host where nothing listens: 69, connection refused", async () => {
    assertFailure(await serve(urlWith(POSTGRES_URL, { port: await closedPort() })), 69, /cannot reach the PostgreSQL server at 127\.0\.0\.1:\d+: connection refused\.\n.*host and port/);
  });

  it("a role that does not exist: 69, the login refused", async () => {
    const role = uniqueName("nn_norole");
    assertFailure(await serve(urlWith(POSTGRES_URL, { username: role })), 69, new RegExp(`refused the login: role "${role}" does not exist\\.\\n.*user and password`));
  });

  describe("a port in use", () => {
    let db: TestDatabase;
    let holder: Server;
    before(async () => {
      db = await createTestDatabase("postgres");
      await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text)");
      holder = await listening(0);
    });
    after(async () => {
      await new Promise((r) => holder?.close(r));
      await db?.drop();
    });

    it("98, saying how to choose another port", async () => {
      const port = (holder.address() as { port: number }).port;
      assertFailure(await serve(db.url!, { PORT: String(port) }), 98, new RegExp(`cannot listen on 0\\.0\\.0\\.0:${port}: the port is in use.*\\n.*server\\.port or the PORT`));
    });
  });
});

describe("serve cannot start: MariaDB", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  const user = uniqueName("nn_denied");
  before(async () => {
    db = await createTestDatabase("mariadb");
    await db.dialect.execute("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB");
    const database = new URL(db.url!).pathname.slice(1);
    await mariadbAdmin(`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-${user}'`);
    await mariadbAdmin(`GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%'`);
    await mariadbAdmin(`GRANT PROCESS ON *.* TO '${user}'@'%'`);
  });
  after(async () => {
    await mariadbAdmin(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => {});
    await db?.drop();
  });

  it("access denied (a wrong password): 69, the login refused", async () => {
    assertFailure(await serve(urlWith(db.url!, { username: user, password: "wrong" })), 69, new RegExp(`refused the login: Access denied for user '${user}'.*\\n.*user and password`));
  });

  it("the same user with its right password is let in (so the refusal above was the password's)", async () => {
    const dialect = await MysqlDialect.open(urlWith(db.url!, { username: user, password: `right-${user}` }));
    await dialect.close();
  });

  it("a database that does not exist: 69, naming it", async () => {
    const missing = uniqueName("nn_missing");
    assertFailure(await serve(urlWith(MARIADB_URL, { database: missing })), 69, new RegExp(`has no database "${missing}"\\.\\n.*CREATE DATABASE`));
  });

  it("a host where nothing listens: 69, connection refused", async () => {
    assertFailure(await serve(urlWith(db.url!, { port: await closedPort() })), 69, /cannot reach the MySQL\/MariaDB server at 127\.0\.0\.1:\d+: connection refused\.\n/);
  });

  it("a port in use: 98", async () => {
    const holder = await listening(0);
    try {
      const port = (holder.address() as { port: number }).port;
      assertFailure(await serve(db.url!, { PORT: String(port) }), 98, /the port is in use/);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
