/**
 * Fan-out: one poll per entity per interval whatever the number of clients; each row serialised once, so
 * every client receives the same bytes; heartbeats find connections whose peer stopped answering.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { Dialect } from "../../backend/db/dialect.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const CLIENTS = 60;

describe("fan-out on pglite", () => {
  let db: TestDatabase;
  let tb: TestBackend;
  let polls = 0;
  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute(contractSchema("pglite"));
    // Count the poll queries the backend sends to the (real, embedded) database.
    const real = db.dialect;
    const counting: Dialect = Object.create(real);
    counting.pollAfter = (...args) => {
      polls++;
      return real.pollAfter(...args);
    };
    db.backendDialect = async () => ({ dialect: counting, owned: false });
    tb = await startBackend(db, "polling: { interval_ms: 100 }\nserver: { heartbeat_ms: 200 }\nentities:\n  - { name: Order, table: orders }\n");
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  it(`polls once per interval with ${CLIENTS} clients as with none, and sends every client the same bytes`, async () => {
    const window = async () => {
      const before = polls;
      await new Promise((r) => setTimeout(r, 2000));
      return polls - before;
    };
    const idle = await window();
    const raw: string[][] = [];
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const c = await TestClient.connect(tb.wsUrl);
        raw[i] = [];
        c.ws.on("message", (data) => raw[i]!.push(data.toString()));
        return c;
      }),
    );
    await Promise.all(clients.map((c) => c.waitFor("subscribed", () => c.ofType("subscribed").length === 1)));
    const writes = (async () => {
      for (let i = 0; i < 10; i++) {
        await db.dialect.execute(insertOrders(i * 5 + 1, 5));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const busy = await window();
    await writes;
    await Promise.all(clients.map((c) => c.waitFor("50 rows", () => c.changes("Order").length === 50)));
    assert.ok(idle >= 10 && idle <= 22, `idle: ${idle} polls in 2 s at a 100 ms interval`);
    assert.ok(busy <= idle + 6, `with ${CLIENTS} clients: ${busy} polls in 2 s (idle: ${idle})`);
    const rowFrames = raw.map((frames) => frames.filter((f) => f.startsWith('{"type":"insert"')));
    for (const [i, frames] of rowFrames.entries()) {
      assert.equal(frames.length, 50);
      assert.deepEqual(frames, rowFrames[0], `client ${i} received exactly the bytes client 0 did`);
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  it("closes a connection whose peer stops answering heartbeats, and forgets it", async () => {
    const silent = new WebSocket(tb.wsUrl, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.on("close", (code) => resolve(code)));
    await new Promise((resolve) => silent.once("open", resolve));
    const health = async () => ((await (await fetch(`${tb.url}/api/health`)).json()) as { clients: number }).clients;
    assert.equal(await health(), 1);
    assert.equal(await closed, 4003);
    assert.equal(await health(), 0);
    const answering = await TestClient.connect(tb.wsUrl); // a normal client answers pings and stays
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(answering.closed, null);
    await answering.close();
  });
});
