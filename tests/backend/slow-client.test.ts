/**
 * A client that stops reading cannot delay the others: past its buffer limit it is moved to `lagging`
 * (live frames are dropped for it), and once it reads again it is told so and replayed from the
 * database, ending with every row exactly once, in order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Socket } from "node:net";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { TestClient } from "../helpers/ws-client.ts";

const ROUNDS = 20;
const ROWS_PER_ROUND = 200;
const PAYLOAD = "x".repeat(4000);

describe("slow client", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute("CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL)");
    tb = await startBackend(db, "polling: { interval_ms: 100, max_events_per_poll: 1000 }\nserver: { client_buffer_bytes: 65536 }\nentities:\n  - { name: Event, table: events }\n");
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  it("keeps delivering to a fast client while a stalled one lags, then resynchronises the stalled one", { timeout: 120_000 }, async () => {
    const fast = await TestClient.connect(tb.wsUrl);
    const slow = await TestClient.connect(tb.wsUrl);
    await Promise.all([fast, slow].map((c) => c.waitFor("subscribed", () => c.ofType("subscribed").length === 1)));
    const slowSocket = (slow.ws as unknown as { _socket: Socket })._socket;
    slowSocket.pause(); // stops reading: the server's send buffer for it fills

    const committedAt: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await db.dialect.execute(`INSERT INTO events (payload) SELECT '${PAYLOAD}' FROM generate_series(1, ${ROWS_PER_ROUND})`);
      committedAt.push(Date.now());
      await new Promise((res) => setTimeout(res, 50));
    }
    const total = ROUNDS * ROWS_PER_ROUND;
    await fast.waitFor("the fast client to get every row", () => fast.changes("Event").length === total, 30_000);

    // Delivery to the fast client: the last row of each round arrives within a few poll intervals of its commit.
    const arrivalById = new Map<number, number>();
    fast.messages.forEach((m, i) => {
      if (m.type === "insert") arrivalById.set(Number(m.id), fast.arrivals[i]!);
    });
    const delays = committedAt.map((t, r) => arrivalById.get((r + 1) * ROWS_PER_ROUND)! - t);
    assert.ok(Math.max(...delays) < 1500, `fast client delays per round (ms): ${delays.join(", ")}`);

    const metricsBefore = await (await fetch(`${tb.url}/metrics`)).text();
    const dropped = Number(/nomnom_client_messages_dropped_total\{reason="lagging"\} (\d+)/.exec(metricsBefore)?.[1] ?? 0);
    assert.ok(dropped > 0, "live frames were dropped for the stalled client instead of queued without bound");

    slowSocket.resume();
    await slow.waitFor("the slow client to catch up", () => slow.changes("Event").length >= total, 60_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(slow.ofType("lagging").length >= 1, true, "the slow client is told it lagged");
    const ids = slow.changes("Event").map((m) => Number(m.id));
    assert.equal(ids.length, total, "every row once");
    assert.deepEqual(ids, Array.from({ length: total }, (_, i) => i + 1), "in order, nothing missing");
    const metricsAfter = await (await fetch(`${tb.url}/metrics`)).text();
    assert.match(metricsAfter, /nomnom_client_resyncs_total [1-9]/);
    await Promise.all([fast.close(), slow.close()]);
  });
});

describe("many slow clients", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let tb: TestBackend;
  const TOTAL = 1_048_576;
  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute("CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL)");
    // Each client alone may queue 4 MiB; together they may queue 1 MiB.
    tb = await startBackend(db, `polling: { interval_ms: 100, max_events_per_poll: 1000 }\nserver: { client_buffer_bytes: 4194304, total_buffer_bytes: ${TOTAL} }\nentities:\n  - { name: Event, table: events }\n`);
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  it("keeps the bytes queued for all clients within total_buffer_bytes, and every stalled client still gets every row", { timeout: 120_000 }, async () => {
    const stalled = await Promise.all(Array.from({ length: 8 }, () => TestClient.connect(tb.wsUrl)));
    const fast = await TestClient.connect(tb.wsUrl);
    await Promise.all([...stalled, fast].map((c) => c.waitFor("subscribed", () => c.ofType("subscribed").length === 1)));
    const sockets = stalled.map((c) => (c.ws as unknown as { _socket: Socket })._socket);
    for (const s of sockets) s.pause();

    let peak = 0;
    const sampler = setInterval(() => {
      let sum = 0;
      for (const s of tb.backend.hub.sessions) sum += s.socket.bufferedAmount;
      peak = Math.max(peak, sum);
    }, 5);
    for (let r = 0; r < ROUNDS; r++) {
      await db.dialect.execute(`INSERT INTO events (payload) SELECT '${PAYLOAD}' FROM generate_series(1, ${ROWS_PER_ROUND})`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const total = ROUNDS * ROWS_PER_ROUND;
    await fast.waitFor("the fast client to get every row", () => fast.changes("Event").length === total, 30_000);
    clearInterval(sampler);
    // Each of the 9 clients gets a share of 1 MiB / 9; one corked run (64 KiB and a frame) may pass it.
    const bound = TOTAL + 9 * (64 * 1024 + PAYLOAD.length + 200);
    assert.ok(peak > 0 && peak <= bound, `peak of all queued bytes: ${peak} (bound ${bound}; each client alone could queue 4 MiB)`);

    for (const s of sockets) s.resume();
    for (const [i, c] of stalled.entries()) {
      await c.waitFor(`stalled client ${i} to catch up`, () => c.changes("Event").length >= total, 60_000);
      const ids = c.changes("Event").map((m) => Number(m.id));
      assert.deepEqual(ids, Array.from({ length: total }, (_, k) => k + 1), `client ${i}: every row once, in order`);
    }
    await Promise.all([...stalled, fast].map((c) => c.close()));
  });
});
