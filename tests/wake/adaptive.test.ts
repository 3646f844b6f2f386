/**
 * Adaptive polling, the cadence where no doorbell rings: on MariaDB, rows that keep coming are read
 * every few milliseconds, each well within a 1,000 ms interval; once they stop, polling backs off to the
 * interval. And idle polling stays at `interval_ms` — with no doorbell, with a doorbell, and after a
 * burst — counted as every query the backend sends through the dialect. A doorbell MariaDB has not is
 * refused at start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Backend } from "../../backend/backend.ts";
import { ConfigError } from "../../backend/config/errors.ts";
import type { Dialect } from "../../backend/db/dialect.ts";
import { createLogger } from "../../backend/log.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { migrate } from "../../backend/events/migrate.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import type { TestClient } from "../helpers/ws-client.ts";
import { liveClient, waitForWake } from "./support.ts";

const ENTITY = "entities:\n  - { name: Order, table: orders }\n";

/** The Dialect's reads: every query the backend makes (execute and close are the tests' own). */
const QUERIES = new Set<PropertyKey>(["discoverTables", "listTables", "columns", "pollAfter", "head", "writers", "range", "prune", "countRows", "ping"]);

/** The backend's dialect, counting every query it sends to the database from now on. */
function counting(db: TestDatabase): { queries: () => number } {
  let n = 0;
  const original = db.backendDialect.bind(db);
  db.backendDialect = async () => {
    const { dialect, owned } = await original();
    const counted: Dialect = new Proxy(dialect, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== "function" || !QUERIES.has(key)) return value;
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { dialect: counted, owned };
  };
  return { queries: () => n };
}

async function queriesDuring(q: { queries: () => number }, ms: number): Promise<number> {
  const before = q.queries();
  await new Promise((r) => setTimeout(r, ms));
  return q.queries() - before;
}

describe("adaptive polling on mariadb", { skip: await skipReason("mariadb") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let client: TestClient;
  let q: { queries: () => number };
  before(async () => {
    db = await createTestDatabase("mariadb");
    await db.dialect.execute(contractSchema("mariadb"));
    q = counting(db);
    tb = await startBackend(db, `polling: { interval_ms: 1000 }\n${ENTITY}`);
    client = await liveClient(tb);
  });
  after(async () => {
    await client?.close();
    await tb?.stop();
    await db?.drop();
  });

  it("reads rows that keep coming every few milliseconds, each well within the 1,000 ms interval, then backs off to it", { timeout: 60_000 }, async () => {
    const wake = await waitForWake(tb, "reported", () => true);
    assert.deepEqual([wake.setting, wake.active, wake.connected], ["auto", "none", true]);
    const idle = await queriesDuring(q, 3000);
    assert.ok(idle >= 2 && idle <= 4, `idle: ${idle} queries in 3 s at a 1000 ms interval`);

    // One row every 20 ms for 6 s; after three polls found rows (≤ 3 s), the cadence follows them.
    const committed = new Map<number, number>();
    const start = Date.now();
    for (let id = 1; Date.now() - start < 6000; id++) {
      await db.dialect.execute(insertOrders(id, 1));
      committed.set(id, Date.now());
      await new Promise((r) => setTimeout(r, 20));
    }
    const rows = committed.size;
    await client.waitFor(`all ${rows} rows`, () => client.changes("Order").length === rows, 10_000);
    const late: string[] = [];
    for (const [i, m] of client.messages.entries()) {
      if (m.type !== "insert") continue;
      const at = committed.get(Number(m.id))!;
      if (at - start >= 3500 && client.arrivals[i]! - at > 250) late.push(`${m.id}: ${client.arrivals[i]! - at} ms`);
    }
    assert.deepEqual(late, [], "every row committed after the ramp arrives within 250 ms at a 1000 ms interval");

    await new Promise((r) => setTimeout(r, 1500)); // the back-off: 30, 60, … ms, up to the interval
    const after = await queriesDuring(q, 3000);
    assert.ok(after <= 4, `after the rows stopped: ${after} queries in 3 s at a 1000 ms interval`);
  });

  it("refuses a doorbell MariaDB cannot ring, saying what it does instead", async () => {
    for (const wake of ["notify", "wal"]) {
      const config = await parseConfig(`polling: { wake: ${wake} }\n${ENTITY}`, "test.yaml");
      const { dialect, owned } = await db.backendDialect();
      try {
        await assert.rejects(Backend.create({ config, dialect, log: createLogger("silent"), source: "test.yaml" }), (e: unknown) => e instanceof ConfigError && new RegExp(`polling\\.wake: is ${wake}, but mariadb has no doorbell.*adaptive polling`).test(e.message));
      } finally {
        if (owned) await dialect.close();
      }
    }
  });
});

for (const [kind, bell] of [
  ["pglite", false],
  ["pglite", true],
  ["postgres", false],
] as [DbKind, boolean][]) {
  describe(`idle polling on ${kind}, ${bell ? "with" : "without"} a doorbell`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend | null = null;
    let q: { queries: () => number };
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      if (bell) {
        const config = await parseConfig(`polling: { wake: notify }\n${ENTITY}`, "test.yaml");
        await migrate(db.dialect, config.entities, "test.yaml", config.polling);
      }
      q = counting(db);
      tb = await startBackend(db, `polling: { interval_ms: 200, wake: ${bell ? "notify" : "none"} }\n${ENTITY}`);
      await waitForWake(tb, "listening", (w) => w.connected);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("stays at interval_ms: idle, and again once a burst has passed", { timeout: 60_000 }, async () => {
      await new Promise((r) => setTimeout(r, 500));
      const idle = await queriesDuring(q, 2000);
      assert.ok(idle >= 8 && idle <= 12, `idle: ${idle} queries in 2 s at a 200 ms interval`);
      for (let i = 0; i < 5; i++) {
        await db.dialect.execute(insertOrders(i * 50 + 1, 50));
        await new Promise((r) => setTimeout(r, 30));
      }
      await new Promise((r) => setTimeout(r, 1000));
      const after = await queriesDuring(q, 2000);
      assert.ok(after >= 8 && after <= 12, `after the burst: ${after} queries in 2 s at a 200 ms interval`);
    });
  });
}
