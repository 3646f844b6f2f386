/**
 * The `wal` doorbell, on a private PostgreSQL started with `wal_level = logical` (the machine's server
 * runs `replica`): without any trigger, `auto` rings on logical replication, and each row reaches a
 * client within 500 ms at a 5,000 ms interval. Killing the walsender loses no row. And no replication
 * slot outlives the backend — neither a stop nor kill -9 of its process leaves one retaining WAL — while
 * a publication left by a killed process is dropped by the next start.
 */
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { PostgresDialect } from "../../backend/db/postgres.ts";
import { WAL_PREFIX } from "../../backend/db/pg-wal-doorbell.ts";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "../../bench/harness/private-postgres.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { IN_CI, type TestDatabase } from "../helpers/databases.ts";
import { spawnBackend } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import type { TestClient } from "../helpers/ws-client.ts";
import { liveClient, rowLatency, waitForWake } from "./support.ts";

const ENTITIES = "entities:\n  - { name: Order, table: orders, timestamp: created_at }\n  - { name: OrderLineItem, table: order_line_items }\n";
const yaml = (wake: string) => `polling: { interval_ms: 5000, wake: ${wake} }\n${ENTITIES}`;
const skip = IN_CI ? undefined : (privatePostgresUnavailable() ?? undefined);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the wal doorbell on a private PostgreSQL with wal_level = logical", { skip, timeout: 240_000 }, () => {
  let pg: PrivatePostgres;
  let db: TestDatabase;
  let dialect: PostgresDialect;
  let tb: TestBackend | null = null;
  let client: TestClient | null = null;
  const slots = async () => (await dialect.sql<{ slot_name: string; temporary: boolean }[]>`SELECT slot_name, temporary FROM pg_replication_slots`).map((r) => r);
  const publications = async () => (await dialect.sql<{ pubname: string }[]>`SELECT pubname FROM pg_publication WHERE starts_with(pubname, ${WAL_PREFIX})`).map((r) => r.pubname);

  before(async () => {
    pg = await startPrivatePostgres();
    dialect = new PostgresDialect(pg.url, { max: 8 });
    await dialect.execute(contractSchema("postgres"));
    db = {
      kind: "postgres",
      url: pg.url,
      dialect,
      transaction: () => Promise.reject(new Error("not used")),
      backendDialect: async () => ({ dialect: new PostgresDialect(pg.url), owned: true }),
      drop: () => dialect.close(),
    };
  });
  afterEach(async () => {
    await client?.close();
    await tb?.stop();
    client = tb = null;
  });
  after(async () => {
    await dialect?.close();
    await pg?.stop();
  });

  it("auto rings on logical replication without triggers: each row within 500 ms at a 5,000 ms interval; stopping leaves no slot or publication", async () => {
    tb = await startBackend(db, yaml("auto"));
    const wake = await waitForWake(tb, "replicating", (w) => w.connected);
    assert.deepEqual([wake.setting, wake.active], ["auto", "wal"]);
    const running = await slots();
    assert.equal(running.length, 1);
    assert.equal(running[0]!.temporary, true, "a temporary slot: it dies with its connection");
    assert.ok(running[0]!.slot_name.startsWith(WAL_PREFIX));
    assert.equal((await publications()).length, 1);

    client = await liveClient(tb);
    await new Promise((r) => setTimeout(r, 300));
    const latencies: number[] = [];
    for (let id = 1; id <= 5; id++) {
      latencies.push(await rowLatency(db, client, id));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(Math.max(...latencies) < 500, `latencies ${latencies.join(", ")} ms at a 5000 ms interval`);

    await client.close();
    await tb.stop();
    client = tb = null;
    await until("no replication slot", async () => (await slots()).length === 0);
    assert.deepEqual(await publications(), []);
  });

  it("killing the walsender loses no row: polling goes on and the bell replicates again", async () => {
    tb = await startBackend(db, yaml("wal"));
    await waitForWake(tb, "replicating", (w) => w.connected);
    client = await liveClient(tb);
    const pid = tb.backend.wake.pid!;
    const [start] = await dialect.sql<{ n: string }[]>`SELECT coalesce(max(id), 0)::text AS n FROM orders`;
    const first = Number(start!.n) + 1;
    const writes = (async () => {
      for (let i = 0; i < 20; i++) {
        await dialect.execute(insertOrders(first + i * 5, 5));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    await dialect.execute(`SELECT pg_terminate_backend(${pid})`);
    await writes;
    await client.waitFor("all 100 rows", () => client!.changes("Order").length === 100, 15_000);
    assert.deepEqual(
      client.changes("Order").map((c) => Number(c.id)),
      Array.from({ length: 100 }, (_, i) => first + i),
      "every row once, in order",
    );
    const back = await waitForWake(tb, "replicating again", (w) => w.connected && w.drops === 1);
    assert.ok(back.last_error, "the drop is reported");
    await until("one slot again", async () => (await slots()).length === 1);
    const latency = await rowLatency(db, client, first + 100);
    assert.ok(latency < 500, `after the reconnect: ${latency} ms at a 5000 ms interval`);
  });

  it("no slot outlives a backend killed with SIGKILL; the next start drops the publication it left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nomnom-wal-"));
    const file = join(dir, "nomnom-live.yaml");
    writeFileSync(file, `database: { url: "\${DATABASE_URL}" }\nserver: { host: 127.0.0.1, port: 0 }\n${yaml("wal")}`);
    const proc = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", file], { DATABASE_URL: pg.url });
    let left: string[];
    try {
      await until("the killed backend's bell to replicate", async () => {
        const h = (await (await fetch(`${proc.url}/api/health`)).json()) as { wake?: { connected: boolean } };
        return h.wake?.connected === true;
      });
      assert.equal((await slots()).length, 1);
      left = await publications();
      assert.equal(left.length, 1);
      process.kill(proc.child.pid!, "SIGKILL");
      await until("its slot to go with its connection", async () => (await slots()).length === 0, 15_000);
      assert.deepEqual(await publications(), left, "the publication (which holds no WAL) is still there");
    } finally {
      await proc.stop();
    }
    tb = await startBackend(db, yaml("wal"));
    await waitForWake(tb, "replicating", (w) => w.connected);
    const now = await publications();
    assert.equal(now.length, 1);
    assert.ok(!now.includes(left[0]!), "the stale publication was dropped at start");
    await tb.stop();
    tb = null;
    await until("no slot", async () => (await slots()).length === 0);
    assert.deepEqual(await publications(), []);
  });
});
