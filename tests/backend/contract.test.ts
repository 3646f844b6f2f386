/**
 * The REST + WebSocket contract over a real HTTP server and a real WebSocket, on every database kind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EntityInfo, EntityStatsMap, HealthResponse, RecordsResponse } from "../../contract/rest.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { CONTRACT_YAML, contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

for (const kind of ALL_KINDS) {
  describe(`contract on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    const get = async <T>(path: string, status = 200): Promise<T> => {
      const res = await fetch(tb.url + path);
      const body = await res.json();
      assert.equal(res.status, status, `${path}: ${JSON.stringify(body)}`);
      return body as T;
    };

    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 5));
      tb = await startBackend(db, CONTRACT_YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("GET /api/health reports ok, the database and every entity's position", async () => {
      const h = await get<HealthResponse>("/api/health");
      assert.equal(h.status, "ok");
      assert.equal(h.database.reachable, true);
      assert.equal(h.database.dialect, db.dialect.name);
      assert.equal(h.entities.Order!.last_id, 5);
      assert.equal(h.entities.OrderLineItem!.last_id, 0);
    });

    it("GET /api/entities describes each entity with typed fields", async () => {
      const list = await get<EntityInfo[]>("/api/entities");
      assert.deepEqual(
        list.map((e) => e.name),
        ["Order", "OrderLineItem"],
      );
      const order = list[0]!;
      assert.equal(order.table, "orders");
      assert.match(order.color, /^#[0-9a-f]{6}$/i);
      assert.ok(order.icon.length > 0);
      assert.equal(order.max_records, 50);
      const types = Object.fromEntries(order.fields.map((f) => [f.name, f.type]));
      assert.deepEqual(types, { id: "integer", order_key: "string", total: "decimal", big: "integer", d: "date", created_at: "datetime" });
      assert.deepEqual(
        order.fields.filter((f) => f.display).map((f) => f.name),
        ["order_key", "total"],
      );
    });

    it("WebSocket: connection_ack, a snapshot per entity, then live rows with the seed fields exactly", async () => {
      const client = await TestClient.connect(tb.wsUrl);
      try {
        await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
        assert.equal(client.messages[0]!.type, "connection_ack");
        const ack = client.ofType("connection_ack")[0]!;
        assert.deepEqual(ack.data.entities, ["Order", "OrderLineItem"]);
        const snapshots = client.ofType("snapshot");
        assert.deepEqual(snapshots.map((s) => s.entity).sort(), ["Order", "OrderLineItem"]);
        const orderSnap = snapshots.find((s) => s.entity === "Order")!;
        assert.deepEqual(
          orderSnap.data.map((r) => r.id),
          ["1", "2", "3", "4", "5"].map((x) => (typeof orderSnap.data[0]!.id === "number" ? Number(x) : x)),
        );
        assert.equal(orderSnap.last_id, 5);

        await db.dialect.execute(insertOrders(6, 1));
        await client.waitFor("the live insert", () => client.changes("Order").length === 1);
        const raw = client.changes("Order")[0]!;
        assert.deepEqual(Object.keys(raw), ["type", "entity", "event_type", "data", "timestamp", "id"]);
        assert.equal(raw.type, "insert");
        assert.equal(raw.event_type, "insert");
        assert.equal(raw.entity, "Order");
        assert.equal(raw.id, 6);
        assert.match(raw.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        // JSON-safe values: 64-bit integers and decimals as strings, dates as dates, times ISO-8601 UTC.
        assert.equal(raw.data.big, "9007199254740993");
        assert.equal(raw.data.total, "9.00");
        assert.equal(raw.data.d, "2024-10-29");
        assert.match(String(raw.data.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(raw.data.order_key, "O-6");
      } finally {
        await client.close();
      }
    });

    it("WebSocket: batched frames on request, subscribe narrows, ping answers, stats_update arrives", async () => {
      const client = await TestClient.connect(`${tb.wsUrl}?batch=1&subscribe=manual`);
      try {
        client.send({ type: "subscribe", entities: ["OrderLineItem"], snapshot: false });
        await client.waitFor("subscribed", () => client.ofType("subscribed").length === 1);
        assert.equal(client.ofType("snapshot").length, 0);
        await db.dialect.execute(insertOrders(100, 3));
        await db.dialect.execute("INSERT INTO order_line_items (order_key, qty) VALUES ('O-100', 1), ('O-100', 2), ('O-101', 3)");
        await client.waitFor("three line items", () => client.changes("OrderLineItem").length === 3);
        assert.equal(client.changes("Order").length, 0, "Order rows must not reach a client subscribed to OrderLineItem only");
        assert.ok(client.ofType("batch").length >= 1, "rows come in batch frames");
        assert.equal(client.messages.filter((m) => m.type === "insert").length, 0, "no single-row frames in batch mode");
        client.send({ type: "ping" });
        await client.waitFor("pong", () => client.ofType("pong").length === 1);
        const seen = client.ofType("stats_update").length; // one sent before the rows arrived would be stale
        await client.waitFor("a stats_update after the rows", () => client.ofType("stats_update").length > seen, 5000);
        const stats = client.ofType("stats_update").at(-1)!.data;
        assert.ok(stats.OrderLineItem!.total >= 3);
      } finally {
        await client.close();
      }
    });

    it("GET /api/stats keeps the seed shape and counts what the poller saw, without scanning per request", async () => {
      // Rows an earlier test inserted may still be on their way to the poller (100 ms interval): start from
      // a count that held still over several polls.
      let before = await get<EntityStatsMap>("/api/stats");
      for (const settleBy = Date.now() + 5000; Date.now() < settleBy; ) {
        await new Promise((r) => setTimeout(r, 400));
        const again = await get<EntityStatsMap>("/api/stats");
        if (again.Order!.total === before.Order!.total) break;
        before = again;
      }
      await db.dialect.execute(insertOrders(200, 4));
      const deadline = Date.now() + 5000;
      let now = before;
      while (now.Order!.total < before.Order!.total + 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        now = await get<EntityStatsMap>("/api/stats");
      }
      assert.equal(now.Order!.total, before.Order!.total + 4);
      assert.ok(now.Order!.inserts_last_minute >= 4);
      assert.ok(now.Order!.inserts_last_5_minutes >= now.Order!.inserts_last_minute);
      assert.equal(typeof now.Order!.rate_per_second, "number");
      assert.equal(now.Order!.total_estimated, false);
      assert.match(now.Order!.last_insert_at!, /Z$/);
    });

    it("GET /api/entities/:name/records pages history and never runs ahead of the stream", async () => {
      const latest = await get<RecordsResponse>("/api/entities/Order/records?limit=3");
      assert.equal(latest.records.length, 3);
      assert.equal(latest.has_more, true);
      const ids = latest.records.map((r) => Number(r.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "ascending by key");
      assert.equal(Number(latest.cursor), ids[2], "the newest row is the stream position");
      const first = await get<RecordsResponse>("/api/entities/Order/records?after_id=0&limit=2");
      assert.deepEqual(
        first.records.map((r) => Number(r.id)),
        [1, 2],
      );
      const page = await get<RecordsResponse>("/api/entities/Order/records?after_id=2&before_id=5");
      assert.deepEqual(
        page.records.map((r) => Number(r.id)),
        [3, 4],
      );
      const all = await get<RecordsResponse>(`/api/entities/Order/records?from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&limit=1000`);
      assert.equal(all.has_more, false);
      assert.ok(all.records.length >= 13);
    });

    it("REST refuses bad parameters with 400 and a message, unknown entities with 404", async () => {
      const bad = await get<{ error: { code: string; message: string } }>("/api/entities/Order/records?after_id=1;DROP", 400);
      assert.equal(bad.error.code, "invalid_query");
      assert.match(bad.error.message, /after_id/);
      const limit = await get<{ error: { message: string } }>("/api/entities/Order/records?limit=0", 400);
      assert.match(limit.error.message, /limit/);
      const time = await get<{ error: { message: string } }>("/api/entities/OrderLineItem/records?from=2024-01-01T00:00:00Z", 400);
      assert.match(time.error.message, /no timestamp column/);
      const unknown = await get<{ error: { code: string } }>("/api/entities/orders%3BDROP/records", 404);
      assert.equal(unknown.error.code, "unknown_entity");
      const extra = await get<{ error: { message: string } }>("/api/entities/Order/records?table=users", 400);
      assert.match(extra.error.message, /table|Unrecognized/i);
    });
  });
}
