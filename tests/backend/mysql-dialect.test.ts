/**
 * The MySQL/MariaDB dialect on the real MariaDB: the server is recognised; values are JSON-safe as the
 * contract promises (64-bit integers and decimals as strings, dates as dates, times in UTC whatever the
 * writing session's time zone); events-mode payloads carry the very same values; discovery finds the
 * tables with a single-column integer primary key (identifiers quoted by the driver, odd names
 * included); counting a large table uses the server's estimate.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { ColumnInfo } from "../../backend/db/dialect.ts";
import { EXACT_COUNT_LIMIT } from "../../backend/db/dialect.ts";
import type { MysqlDialect } from "../../backend/db/mysql.ts";
import { EVENTS_REF } from "../../backend/events/changelog.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { decodePayload } from "../../backend/events/payload.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";

const TYPES = `CREATE TABLE typed (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, big BIGINT, price DECIMAL(12,2), qty INT, ratio DOUBLE, flag BOOLEAN,
  day DATE, at_ts TIMESTAMP(3) NULL, at_dt DATETIME(3), doc JSON, raw VARBINARY(8), note VARCHAR(20)
) ENGINE=InnoDB`;

describe("the MySQL/MariaDB dialect on mariadb", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  let dialect: MysqlDialect;
  before(async () => {
    db = await createTestDatabase("mariadb");
    dialect = db.dialect as MysqlDialect;
    await db.dialect.execute(TYPES);
  });
  after(async () => {
    await db?.drop();
  });

  it("recognises MariaDB and describes columns with the contract's types", async () => {
    assert.equal(dialect.name, "mariadb");
    const types = Object.fromEntries((await dialect.columns("typed")).map((c) => [c.name, c.type]));
    assert.deepEqual(types, {
      id: "integer",
      big: "integer",
      price: "decimal",
      qty: "integer",
      ratio: "float",
      flag: "boolean",
      day: "date",
      at_ts: "datetime",
      at_dt: "datetime",
      doc: "json",
      raw: "string",
      note: "string",
    });
    assert.deepEqual(await dialect.columns("no_such_table"), []);
  });

  it("reads values JSON-safe and in UTC, and the events payload carries exactly the same values", async () => {
    await migrate(db.dialect, [{ name: "Typed", table: "typed", key: "id", max_records: 500 }]);
    // A writer whose session is five hours east of UTC: 05:00 there is 00:00Z.
    const writer = await mysql.createConnection({ uri: db.url! });
    try {
      await writer.query("SET time_zone = '+05:00'");
      await writer.query(
        `INSERT INTO typed (big, price, qty, ratio, flag, day, at_ts, at_dt, doc, raw, note)
         VALUES (9007199254740993, 12.50, 7, 0.25, TRUE, '2024-10-29', '2024-01-01 05:00:00.123', '2024-01-01 05:00:00.123', '{"n": 1, "s": "x"}', X'00ff', 'hé')`,
      );
    } finally {
      await writer.end();
    }
    const [row] = await dialect.pollAfter({ table: "typed", key: "id" }, 0n, 10);
    assert.deepEqual(row, {
      id: "1",
      big: "9007199254740993",
      price: "12.50",
      qty: 7,
      ratio: 0.25,
      flag: true,
      day: "2024-10-29",
      at_ts: "2024-01-01T00:00:00.123Z",
      at_dt: "2024-01-01T05:00:00.123Z", // a DATETIME has no zone: read as UTC, as written
      doc: { n: 1, s: "x" },
      raw: "\\x00ff",
      note: "hé",
    });
    const [event] = await dialect.range(EVENTS_REF, { upTo: 1n << 62n, limit: 10 });
    const columns = new Map<string, ColumnInfo>((await dialect.columns("typed")).map((c) => [c.name, c]));
    assert.deepEqual(decodePayload(event!.payload, columns), row, "the trigger's payload, decoded, is the row as table mode reads it");
  });

  it("discovers tables with a single-column integer primary key, quoting odd names with the driver", async () => {
    await db.dialect.execute(`
      CREATE TABLE composite (a INT, b INT, PRIMARY KEY (a, b));
      CREATE TABLE texty (code VARCHAR(10) PRIMARY KEY);
      CREATE TABLE keyless (x INT);
      CREATE TABLE \`odd\`\`name\` (n INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(5));
      INSERT INTO \`odd\`\`name\` (v) VALUES ('a'), ('b');`);
    const found = await dialect.discoverTables();
    assert.deepEqual(
      found.map((t) => [t.table, t.key]),
      [
        ["odd`name", "n"],
        ["typed", "id"],
      ],
      "db_events, composite, text and keyless tables are left out",
    );
    const rows = await dialect.pollAfter({ table: "odd`name", key: "n" }, 0n, 10);
    assert.deepEqual(
      rows.map((r) => r.v),
      ["a", "b"],
    );
    assert.equal(await dialect.head({ table: "odd`name", key: "n" }), 2n);
  });

  it("counts a small table exactly and a large one from the server's estimate", { timeout: 120_000 }, async () => {
    await db.dialect.execute("CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, x INT) ENGINE=InnoDB");
    assert.deepEqual(await dialect.countRows({ table: "big", key: "id" }), { count: 0, estimated: false });
    const n = EXACT_COUNT_LIMIT + 50_000;
    await db.dialect.execute(`INSERT INTO big (x) SELECT seq FROM seq_1_to_${n}; ANALYZE TABLE big;`);
    const { count, estimated } = await dialect.countRows({ table: "big", key: "id" });
    assert.equal(estimated, true);
    assert.ok(count > n / 2 && count < n * 2, `an estimate near ${n}, got ${count}`);
  });
});
