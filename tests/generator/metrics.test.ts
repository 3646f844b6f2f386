/**
 * GET /metrics: every per-entity series exists from the start (so `rate()` and `absent()` alerts
 * behave), counts what the poller sees, keeps poll lag current without anyone asking /api/health, and is
 * valid Prometheus exposition (promtool check metrics) — on Node and on Deno.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { METRIC } from "../../backend/metrics.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { PROMTOOL_BIN, prometheusSkipReason } from "../helpers/prometheus.ts";

/** `name{labels} value` samples of the text exposition format. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("/metrics on Node", () => {
  let db: TestDatabase;
  let tb: TestBackend;
  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text); CREATE TABLE order_line_items (id bigserial PRIMARY KEY, v text)");
    tb = await startBackend(db, "polling: { interval_ms: 100 }\nentities:\n  - { name: Order, table: orders }\n  - { name: OrderLineItem, table: order_line_items }\n");
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });
  // This suite never calls /api/health: lag must be current from /metrics alone.
  const scrape = async () => {
    const res = await fetch(`${tb.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it("exports every entity's series with value 0 before any insert", async () => {
    const text = await scrape();
    for (const entity of ["Order", "OrderLineItem"]) {
      assert.equal(value(text, METRIC.rowsSeen, { entity }), 0, `${METRIC.rowsSeen}{entity="${entity}"} is 0`);
      assert.equal(value(text, `${METRIC.pollDuration}_count`, { entity }) !== undefined, true, `${METRIC.pollDuration} has a series for ${entity}`);
      assert.equal(value(text, METRIC.gapsSkipped, { entity, reason: "timeout" }), 0);
      const lag = value(text, METRIC.pollLag, { entity });
      assert.ok(lag !== undefined && lag >= 0 && lag < 5, `poll lag of ${entity} is reported without /api/health (${lag})`);
    }
    assert.equal(value(text, METRIC.dropped, { reason: "lagging" }), 0);
    assert.equal(value(text, METRIC.dropped, { reason: "closed" }), 0);
    assert.equal(value(text, METRIC.resyncs), 0);
    assert.equal(value(text, METRIC.clients), 0);
    assert.equal(value(text, METRIC.databaseUp), 1);
  });

  it("is valid exposition format for promtool", { skip: prometheusSkipReason() }, async () => {
    const check = spawnSync(PROMTOOL_BIN, ["check", "metrics"], { input: await scrape(), encoding: "utf8" });
    assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);
  });

  it("counts the rows the poller sees, per entity", async () => {
    await db.dialect.execute("INSERT INTO orders (v) SELECT 'x' FROM generate_series(1, 7)");
    const deadline = Date.now() + 10_000;
    let text = await scrape();
    while (value(text, METRIC.rowsSeen, { entity: "Order" }) !== 7 && Date.now() < deadline) {
      await sleep(50);
      text = await scrape();
    }
    assert.equal(value(text, METRIC.rowsSeen, { entity: "Order" }), 7);
    assert.equal(value(text, METRIC.rowsSeen, { entity: "OrderLineItem" }), 0);
  });

  it("keeps poll lag current at every scrape: it grows once polling stops", async () => {
    const before = value(await scrape(), METRIC.pollLag, { entity: "Order" })!;
    assert.ok(before < 2, `lag while polling every 100 ms is small (${before} s)`);
    await tb.backend.stop(); // pollers stop; the HTTP server still answers
    await sleep(1500);
    const afterStop = value(await scrape(), METRIC.pollLag, { entity: "Order" })!;
    assert.ok(afterStop >= 1.4, `lag grew to ${afterStop} s after 1.5 s without polls`);
  });
});

describe("/metrics on Deno", () => {
  let backend: BackendProcess;
  before(async () => {
    backend = await spawnBackend(join(ROOT, "node_modules/.bin/deno"), ["run", "--allow-all", "--node-modules-dir=manual", "backend/runtime/deno.ts", "demo"], { PORT: "0" }, 90_000);
  });
  after(async () => {
    await backend?.stop();
  });

  it("serves the same metrics, with the demo writer's rows counted", { timeout: 60_000 }, async () => {
    const first = await (await fetch(`${backend.url}/metrics`)).text();
    for (const entity of ["Order", "OrderLineItem"]) {
      assert.ok(value(first, METRIC.rowsSeen, { entity }) !== undefined, `${entity} counter on Deno`);
      assert.ok(value(first, METRIC.pollLag, { entity }) !== undefined, `${entity} poll lag on Deno`);
    }
    const start = value(first, METRIC.rowsSeen, { entity: "Order" })!;
    const deadline = Date.now() + 20_000;
    let now = start;
    while (now <= start && Date.now() < deadline) {
      await sleep(250);
      now = value(await (await fetch(`${backend.url}/metrics`)).text(), METRIC.rowsSeen, { entity: "Order" })!;
    }
    assert.ok(now > start, `the Order counter rose on Deno (${start} → ${now})`);
  });
});
