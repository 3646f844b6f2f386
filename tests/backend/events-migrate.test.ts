/**
 * `nomnom-live migrate` on every database: it is idempotent (running it again changes nothing and
 * duplicates no trigger), the CLI command does it, and the SQL `generate` writes for the dialect is
 * exactly what migrate runs — which the database's own client (psql, mariadb) applies as well.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../backend/config/load.ts";
import type { MysqlDialect } from "../../backend/db/mysql.ts";
import { PgliteDialect } from "../../backend/db/pglite.ts";
import type { PostgresDialect } from "../../backend/db/postgres.ts";
import { EVENTS_REF } from "../../backend/events/changelog.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { eventsSql } from "../../backend/generate/events-sql.ts";
import { resolveOptions } from "../../backend/generate/options.ts";
import { ALL_KINDS, IN_CI, POSTGRES_URL, createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { ROOT } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";

const ENTITIES = `entities:
  - { name: Order, table: orders, timestamp: created_at }
  - { name: OrderLineItem, table: order_line_items }
`;

/** Rows of a catalogue query, through the test database's own driver. */
async function rows(db: TestDatabase, sql: string): Promise<Record<string, unknown>[]> {
  if (db.kind === "pglite") return (await (db.dialect as PgliteDialect).db.query<Record<string, unknown>>(sql)).rows;
  if (db.kind === "postgres") return await (db.dialect as PostgresDialect).sql.unsafe(sql);
  const [r] = await (db.dialect as MysqlDialect).pool.query(sql);
  return r as Record<string, unknown>[];
}

async function triggerCount(db: TestDatabase): Promise<number> {
  const [r] =
    db.kind === "mariadb"
      ? await rows(db, "SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")
      : await rows(db, "SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace");
  return Number(r!.n);
}

async function events(db: TestDatabase) {
  return db.dialect.range(EVENTS_REF, { upTo: 1n << 62n, limit: 100_000 });
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/nomnom-live.js", ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, NOMNOM_LOG: "error" } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs a database client with `input` on stdin; null when the client is not installed (a skip outside CI). */
function client(command: string, args: string[], input: string, env: Record<string, string> = {}): Promise<{ code: number; output: string } | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", () => resolve(null));
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(input);
  });
}

/** The statements of a generated file, without its header comment. */
function body(content: string): string {
  return content.replace(/^(--.*\n)+\n/, "");
}

const fileOf = (kind: DbKind) => (kind === "mariadb" ? "sql/events-mariadb.sql" : "sql/events-postgresql.sql");

for (const kind of ALL_KINDS) {
  describe(`migrate on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
    });
    after(async () => {
      await db?.drop();
    });

    it("is idempotent: a second run keeps the changelog and its rows, and duplicates no trigger", async () => {
      const config = await parseConfig(ENTITIES, "test.yaml");
      await migrate(db.dialect, config.entities);
      const triggers = await triggerCount(db);
      assert.equal(triggers, kind === "mariadb" ? 6 : 2, "insert, update and delete are logged for both entities");
      await db.dialect.execute(insertOrders(1, 2));
      assert.equal((await events(db)).length, 2);

      await migrate(db.dialect, config.entities);
      assert.equal(await triggerCount(db), triggers);
      assert.equal((await events(db)).length, 2, "the changelog's rows survive");
      await db.dialect.execute("UPDATE orders SET order_key = 'again' WHERE id = 1");
      const logged = await events(db);
      assert.equal(logged.length, 3, "one event per change: no trigger twice");
      assert.deepEqual(
        logged.map((e) => [e.entity, e.event_type, Number(e.row_key)]),
        [
          ["Order", "insert", 1],
          ["Order", "insert", 2],
          ["Order", "update", 1],
        ],
      );
    });

    it("`generate` writes exactly the SQL migrate runs, and the database's own client applies it", async () => {
      const config = await parseConfig(`${db.url ? `database: { url: "${db.url}" }\n` : ""}${ENTITIES}`, "test.yaml");
      const files = await eventsSql({ config, entities: config.entities!, source: "test.yaml", options: resolveOptions({}, 8080) });
      assert.deepEqual(
        files.map((f) => f.path),
        ["sql/events-postgresql.sql", "sql/events-mysql.sql", "sql/events-mariadb.sql"],
      );
      const file = files.find((f) => f.path === fileOf(kind))!;
      assert.match(file.content, /^-- Generated by `nomnom-live generate` from test\.yaml/);
      const applied = await migrate(db.dialect, config.entities);
      assert.equal(body(file.content), applied.sql);

      // A fresh database, set up by the client a DBA would use.
      const fresh = await createTestDatabase(kind);
      try {
        await fresh.dialect.execute(contractSchema(kind));
        if (kind === "pglite") {
          await fresh.dialect.execute(file.content);
        } else {
          const result =
            kind === "postgres"
              ? await client("psql", [POSTGRES_URL, "-v", "ON_ERROR_STOP=1", "-1", "-q", "-f", "-"], file.content, {
                  PGOPTIONS: `-c search_path=${new URL(fresh.url!).searchParams.get("search_path")}`,
                })
              : await client("mariadb", ["-h", new URL(fresh.url!).hostname, "-P", new URL(fresh.url!).port || "3306", "-u", decodeURIComponent(new URL(fresh.url!).username), new URL(fresh.url!).pathname.slice(1)], file.content);
          if (result === null) {
            assert.ok(!IN_CI, `the ${kind} command-line client is needed in CI`);
            return;
          }
          assert.equal(result.code, 0, result.output);
        }
        await fresh.dialect.execute(insertOrders(10, 1));
        const [e] = await events(fresh);
        assert.equal(e?.entity, "Order");
        assert.equal(e?.event_type, "insert");
        assert.equal(Number(e?.row_key), 1);
      } finally {
        await fresh.drop();
      }
    });

    it("`nomnom-live migrate --config FILE` applies it, and again", { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), "nn-migrate-"));
      const file = join(dir, "nomnom-live.yaml");
      let target: TestDatabase | null = null;
      try {
        if (kind === "pglite") {
          // The embedded database keeps its data in a directory the CLI can open after the test closes it.
          const data = join(dir, "data");
          const setup = await PgliteDialect.open(data);
          await setup.execute(contractSchema(kind));
          await setup.close();
          writeFileSync(file, `database: { data_dir: ${JSON.stringify(data)} }\n${ENTITIES}`);
        } else {
          target = await createTestDatabase(kind);
          await target.dialect.execute(contractSchema(kind));
          writeFileSync(file, `database: { url: ${JSON.stringify(target.url)} }\n${ENTITIES}`);
        }
        for (let run = 0; run < 2; run++) {
          const r = await cli(["migrate", "--config", file]);
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, /db_events and the insert\/update\/delete triggers of Order \(orders\), OrderLineItem \(order_line_items\) are in place/);
          assert.match(r.stdout, /polling\.mode is table: set polling\.mode: events/);
        }
        const check = target ?? (await (async () => {
          const d = await PgliteDialect.open(join(dir, "data"));
          return { kind, dialect: d, drop: () => d.close() } as unknown as TestDatabase;
        })());
        try {
          await check.dialect.execute("INSERT INTO order_line_items (order_key, qty) VALUES ('x', 1)");
          const logged = await events(check);
          assert.deepEqual(
            logged.map((e) => [e.entity, e.event_type]),
            [["OrderLineItem", "insert"]],
          );
        } finally {
          if (!target) await check.drop();
        }
      } finally {
        await target?.drop();
      }
    });
  });
}
