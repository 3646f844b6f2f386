/**
 * Gap safety on MySQL/MariaDB reads information_schema.INNODB_TRX, which needs the PROCESS privilege.
 * A user without it is refused at start with a message naming the privilege and the GRANT statement
 * (by the dialect and by the CLI), and that very statement is what makes it work.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DatabaseAccessError } from "../../backend/db/errors.ts";
import { MysqlDialect } from "../../backend/db/mysql.ts";
import { createTestDatabase, mariadbAdmin, skipReason, uniqueName, type TestDatabase } from "../helpers/databases.ts";
import { ROOT } from "../helpers/process.ts";

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/nomnom-live.js", ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, NOMNOM_LOG: "error" } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("the PROCESS privilege on mariadb", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  const user = uniqueName("nn_noproc");
  let url: string;
  before(async () => {
    db = await createTestDatabase("mariadb");
    const database = new URL(db.url!).pathname.slice(1);
    await mariadbAdmin(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'`);
    await mariadbAdmin(`GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%'`);
    const u = new URL(db.url!);
    u.username = user;
    u.password = `pw-${user}`;
    url = u.toString();
    await db.dialect.execute("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32)) ENGINE=InnoDB");
  });
  after(async () => {
    await mariadbAdmin(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => {});
    await db?.drop();
  });

  it("is checked at start, with the privilege and the GRANT statement in the message", async () => {
    const error = await MysqlDialect.open(url).then(
      async (d) => {
        await d.close();
        return null;
      },
      (e: unknown) => e,
    );
    assert.ok(error instanceof DatabaseAccessError, `refused with a DatabaseAccessError, got ${String(error)}`);
    assert.match(error.message, /lacks the PROCESS privilege/);
    assert.match(error.message, /INNODB_TRX/);
    assert.ok(error.message.includes(`GRANT PROCESS ON *.* TO '${user}'@'%';`), error.message);
  });

  it("the CLI says so and exits with status 69 (database); the GRANT in the message makes it work", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "nn-priv-"));
    const file = join(dir, "nomnom-live.yaml");
    writeFileSync(file, `database:\n  url: ${url}\nentities:\n  - { name: Order, table: orders }\n`);
    const refused = await cli(["migrate", "--config", file]);
    assert.equal(refused.code, 69, refused.stderr);
    assert.match(refused.stderr, /lacks the PROCESS privilege/);
    const grant = /GRANT PROCESS ON \*\.\* TO [^;]+;/.exec(refused.stderr)?.[0];
    assert.ok(grant, refused.stderr);

    await mariadbAdmin(grant);
    const d = await MysqlDialect.open(url);
    try {
      assert.ok((await d.writers({ table: "orders", key: "id" })) instanceof Set);
    } finally {
      await d.close();
    }
    const migrated = await cli(["migrate", "--config", file]);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /db_events and the insert\/update\/delete triggers of Order \(orders\) are in place on mariadb/);
  });
});
