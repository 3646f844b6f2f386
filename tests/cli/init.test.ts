/**
 * `nomnom-live init` gives `serve --config nomnom-live.yaml` its file: a commented template without a
 * database, or — given one — the tables it can watch there as entities (keys, timestamp columns) and a
 * comment for each table it leaves out, saying why. What it writes loads as a configuration and
 * matches the database; it never overwrites a file without --force (exit 73).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../backend/config/load.ts";
import { resolveEntities } from "../../backend/entities.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { isMysqlFamily } from "../helpers/schema.ts";
import { assertFailure, cli, closedPort } from "./cli-process.ts";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "nn-init-")), "nomnom-live.yaml");

describe("nomnom-live init without a database", () => {
  it("writes a commented template that loads, with the documented defaults", async () => {
    const file = tempFile();
    const r = await cli(["init", "--out", file], { DATABASE_URL: undefined });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*nomnom-live\.yaml: a commented template/);
    const text = readFileSync(file, "utf8");
    assert.match(text, /^# nomnom-live configuration, written by `nomnom-live init`/);
    assert.match(text, /^# entities:/m);
    const config = await loadConfig(file, {});
    assert.equal(config.database.url, undefined, "no DATABASE_URL: the embedded PGlite");
    assert.equal(config.server.port, 8080);
    assert.equal(config.polling.interval_ms, 500);
    assert.equal(config.entities, undefined);
  });

  it("never overwrites a file without --force (73), and does with it", async () => {
    const file = tempFile();
    writeFileSync(file, "# mine\n");
    assertFailure(await cli(["init", "--out", file], { DATABASE_URL: undefined }), 73, /nomnom-live\.yaml exists: nothing written\.\n.*--force/);
    assert.equal(readFileSync(file, "utf8"), "# mine\n");
    const forced = await cli(["init", "--out", file, "--force"], { DATABASE_URL: undefined });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(file, "utf8"), /^# nomnom-live configuration/);
  });

  it("a database it cannot reach: 69, and nothing written", async () => {
    const file = tempFile();
    assertFailure(await cli(["init", "--out", file, "--database-url", `postgres://postgres@127.0.0.1:${await closedPort()}/test`]), 69, /cannot reach the PostgreSQL server/);
    assert.throws(() => readFileSync(file), /ENOENT/);
  });
});

function tables(kind: DbKind): string {
  if (isMysqlFamily(kind)) {
    return `
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32), total DECIMAL(12,2), created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
CREATE TABLE order_line_items (id INT AUTO_INCREMENT PRIMARY KEY, order_key VARCHAR(32), qty INT) ENGINE=InnoDB;
CREATE TABLE sessions (id UUID PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE pairs (a INT, b INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
CREATE TABLE \`odd name\` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;`;
  }
  return `
CREATE TABLE orders (id bigserial PRIMARY KEY, order_key text, total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_line_items (id serial PRIMARY KEY, order_key text, qty integer);
CREATE TABLE sessions (id uuid PRIMARY KEY);
CREATE TABLE pairs (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE "odd name" (id serial PRIMARY KEY);`;
}

for (const kind of ["postgres", "mariadb"] as const) {
  describe(`nomnom-live init from a ${kind} database`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(tables(kind));
    });
    after(async () => {
      await db?.drop();
    });

    it("lists the watchable tables as entities and says why it leaves out the others", async () => {
      const file = tempFile();
      const r = await cli(["init", "--out", file], { DATABASE_URL: db.url! });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2 entities \(OrderLineItem, Order\).*3 tables left out/);
      const text = readFileSync(file, "utf8");
      assert.doesNotMatch(text, /:\/\/[^\s/]*@/, "no user or password in the file");
      assert.match(text, /^ {2}url: \$\{DATABASE_URL\}/m);
      assert.match(text, /- name: Order\n {4}table: orders\n {4}key: id\n {4}timestamp: created_at/);
      assert.match(text, /- name: OrderLineItem\n {4}table: order_line_items\n {4}key: id\n {4}# timestamp: none found/);
      assert.match(text, /^# {3}sessions: its primary key id is uuid, not an integer$/m);
      assert.match(text, /^# {3}pairs: its primary key is composite \(a, b\)/m);
      assert.match(text, /^# {3}odd name: its name .*not a plain SQL identifier/m);

      const config = await loadConfig(file, { DATABASE_URL: db.url! });
      assert.equal(config.database.url, db.url);
      const entities = await resolveEntities(db.dialect, config.entities, file);
      assert.deepEqual(
        entities.map((e) => [e.info.name, e.info.table, e.info.key, e.info.timestamp]),
        [
          ["OrderLineItem", "order_line_items", "id", null],
          ["Order", "orders", "id", "created_at"],
        ],
        "the file matches the database it was written from",
      );
    });

    it("--database-url wins over DATABASE_URL", async () => {
      const file = tempFile();
      const r = await cli(["init", "--out", file, "--database-url", db.url!], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
      assert.equal(r.code, 0, r.stderr);
      assert.match(readFileSync(file, "utf8"), /- name: Order\n/);
    });
  });
}
