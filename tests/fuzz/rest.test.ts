/**
 * Property-based fuzzing of the REST API's parameters, on every database: whatever the entity name and
 * the query of `GET /api/entities/:name/records`, the answer is a page (200) or the client's mistake
 * (400, 404) with the API's error body — never a 500 — and a page holds only rows within the bounds
 * asked for and that the stream has reached (a bound that wrapped around once returned the whole table).
 * The server stays healthy.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { ErrorBody, HealthResponse, RecordsResponse } from "../../contract/rest.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { entityName, recordsQuery, runs } from "./inputs.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { rate_limit_per_minute: 1000000 }
entities:
  - { name: Order, table: orders, timestamp: created_at }
  - { name: OrderLineItem, table: order_line_items }
`;

/** An entity name as a path segment: encoded, or raw — broken percent-encoding included. */
const nameSegment = fc.oneof(
  entityName.map((n) => encodeURIComponent(n)),
  fc.constantFrom("%", "%ff", "%E2%82", "%00", "..", "Order%2Frecords", "Ord%65r"),
);

for (const kind of ALL_KINDS) {
  describe(`fuzzing the REST API on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(insertOrders(1, 25));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("answers any records query with a page, a 400 or a 404 — never a 500", { timeout: 300_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(nameSegment, recordsQuery, async (name, query) => {
          const q = new URLSearchParams(query).toString();
          const path = `/api/entities/${name}/records${q ? `?${q}` : ""}`;
          const res = await fetch(tb.url + path);
          const text = await res.text();
          assert.ok([200, 400, 404].includes(res.status), `${path} → ${res.status} ${text.slice(0, 300)}`);
          const body = JSON.parse(text) as RecordsResponse | ErrorBody;
          if (res.status === 200) {
            const page = body as RecordsResponse;
            assert.ok(Array.isArray(page.records) && typeof page.has_more === "boolean", path);
            assert.ok(page.records.every((r) => Number(r.id) <= 25), `${path}: a row the stream has not reached`);
            const bound = (name: string) => (query.filter(([k]) => k === name).length === 1 ? BigInt(query.find(([k]) => k === name)![1]) : undefined);
            const [afterId, beforeId] = [bound("after_id"), bound("before_id")];
            for (const r of page.records) {
              const id = BigInt(String(r.id));
              assert.ok((afterId === undefined || id > afterId) && (beforeId === undefined || id < beforeId), `${path}: row ${id} is outside the bounds`);
            }
          } else {
            const { error } = body as ErrorBody;
            assert.ok(typeof error.code === "string" && typeof error.message === "string", `${path}: ${text}`);
          }
        }),
        { numRuns: runs(700) },
      );
    });

    it("is healthy afterwards", async () => {
      const res = await fetch(`${tb.url}/api/health`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as HealthResponse).status, "ok");
    });
  });
}
