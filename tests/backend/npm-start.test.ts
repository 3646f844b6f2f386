/**
 * The README's quick start: `npm start` in this checkout (CI runs on a fresh clone after `npm ci`) serves
 * `/api/health` `ok` and live demo rows over `/ws` within seconds, and shuts down cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HealthResponse } from "../../contract/rest.ts";
import { spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { TestClient } from "../helpers/ws-client.ts";

describe("npm start", () => {
  let app: BackendProcess;
  let startedAt: number;
  before(async () => {
    startedAt = Date.now();
    app = await spawnBackend("npm", ["start", "--silent"], { PORT: "0", DATABASE_URL: "", NOMNOM_LOG: "info" });
  });
  after(async () => {
    await app?.stop();
  });

  it("prints its address and answers /api/health with ok on the embedded database", async () => {
    assert.match(app.output(), /nomnom-live is running: http:\/\/127\.0\.0\.1:\d+\//);
    const res = await fetch(`${app.url}/api/health`);
    assert.equal(res.status, 200);
    const health = (await res.json()) as HealthResponse;
    assert.equal(health.status, "ok");
    assert.equal(health.database.dialect, "pglite");
    assert.deepEqual(Object.keys(health.entities).sort(), ["Order", "OrderLineItem"]);
    assert.equal(health.wake?.active, "notify", "the demo's tables ring the doorbell on commit");
  });

  it("streams live demo rows of both entities over /ws within seconds of starting", async () => {
    const c = await TestClient.connect(app.wsUrl);
    await c.waitFor("live orders and line items", () => c.changes("Order").length >= 3 && c.changes("OrderLineItem").length >= 3, 15_000);
    const seconds = (Date.now() - startedAt) / 1000;
    assert.ok(seconds < 60, `first live rows ${seconds.toFixed(1)} s after npm start`);
    const order = c.changes("Order")[0]!;
    assert.match(String(order.data.order_key), /^ORDER-\d{7}$/);
    assert.match(String(order.data.total_price), /^\d+\.\d\d$/, "decimals arrive as strings");
    await c.close();
  });

  it("shuts down cleanly on SIGTERM and frees its port", async () => {
    await app.stop();
    assert.match(app.output(), /INFO\s+shutting down/);
    assert.doesNotMatch(app.output(), /ERROR|Unhandled|at .*\.ts:\d+/);
    await assert.rejects(fetch(`${app.url}/api/health`), "nothing answers any more");
  });
});
