/**
 * Property-based fuzzing of the WebSocket protocol, on every database: whatever a client sends, each
 * answer is a message of the contract, every `error` carries a documented code (never `internal`), the
 * connection stays open — only a frame past the hard cap closes it, with 1009 after its `error` — and
 * the server stays healthy and keeps streaming.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { ErrorCode, ServerMessage } from "../../contract/index.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";
import { clientFrame, runs } from "./inputs.ts";

const MESSAGE_BYTES = 4096;
const YAML = `
polling: { interval_ms: 100 }
server: { max_message_bytes: ${MESSAGE_BYTES} }
entities:
  - { name: Order, table: orders, timestamp: created_at, max_records: 20 }
  - { name: OrderLineItem, table: order_line_items, max_records: 20 }
`;

const TYPES = new Set<ServerMessage["type"]>(["insert", "update", "delete", "batch", "connection_ack", "snapshot", "subscribed", "stats_update", "lagging", "error", "pong"]);
/** Every code a client may be answered with for what it sent (`internal` and `unauthorized` are not among them here). */
const ANSWERS = new Set<ErrorCode>(["invalid_json", "invalid_message", "unknown_entity", "invalid_cursor", "cursor_ahead", "message_too_large", "rate_limited", "database_unavailable"]);

function checkAnswers(c: TestClient, seen: Set<string>): void {
  for (const m of c.messages) {
    assert.ok(TYPES.has(m.type), `a message outside the contract: ${JSON.stringify(m).slice(0, 200)}`);
    if (m.type === "error") assert.ok(ANSWERS.has(m.code), `error code ${m.code}: ${m.message}`);
    seen.add(m.type === "error" ? m.code : m.type);
  }
}

for (const kind of ALL_KINDS) {
  describe(`fuzzing the WebSocket on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 30));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("answers any sequence of frames within the contract and stays open", { timeout: 300_000 }, async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(fc.array(clientFrame(MESSAGE_BYTES), { minLength: 1, maxLength: 8 }), async (frames) => {
          const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
          try {
            for (const f of frames) c.send(f);
            c.send({ type: "ping" });
            // Every frame is read before the pong is answered (answers to a subscribe may follow it).
            await c.waitFor("the pong", () => c.ofType("pong").length > 0 || c.closed !== null);
            assert.equal(c.closed, null, `closed with ${JSON.stringify(c.closed)}`);
            checkAnswers(c, seen);
          } finally {
            await c.close();
          }
        }),
        { numRuns: runs(120) },
      );
      // The cases reached every kind of refusal, and subscriptions that were taken.
      for (const answer of ["invalid_json", "invalid_message", "unknown_entity", "invalid_cursor", "message_too_large", "subscribed"]) {
        assert.ok(seen.has(answer), `no case was answered with ${answer} (seen: ${[...seen].join(", ")})`);
      }
    });

    it("answers a frame past the hard cap with message_too_large, then closes with 1009", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom("x", "é", "€"), fc.integer({ min: 1, max: 64 * 1024 }), async (c1, over) => {
          const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
          const cap = 1_048_576;
          c.send(c1.repeat(Math.ceil((cap + over) / Buffer.byteLength(c1))));
          await c.waitFor("the close", () => c.closed !== null);
          assert.equal(c.closed!.code, 1009);
          assert.deepEqual(c.ofType("error").map((e) => e.code), ["message_too_large"]);
        }),
        { numRuns: runs(6) },
      );
    });

    it("is healthy afterwards and still streams every row", async () => {
      const health = await fetch(`${tb.url}/api/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, "ok");
      const c = await TestClient.connect(tb.wsUrl);
      await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
      await db.dialect.execute(insertOrders(31, 3));
      await c.waitFor("three live rows", () => c.changes("Order").length === 3);
      assert.deepEqual(c.changes("Order").map((m) => Number(m.id)), [31, 32, 33]);
      await c.close();
    });
  });
}
