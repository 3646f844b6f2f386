/**
 * Ids and times outside what the database can hold are the client's mistake, answered as such: a
 * history bound or a resume cursor outside the key's type is refused (400 `invalid_query`, or the
 * WebSocket's `invalid_cursor`) — PostgreSQL used to fail with a 500 and MariaDB to wrap it around and
 * return the table from its first row — and a time outside years 1–9999 is refused on every dialect.
 * A cursor ahead of the stream is not taken silently. An unsigned 64-bit key on MariaDB works end to end.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ErrorBody, RecordsResponse } from "../../contract/rest.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema, insertOrders, isMysqlFamily } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const TWO_63 = "9223372036854775808";

const YAML = `
polling: { interval_ms: 100 }
entities:
  - { name: Order, table: orders, timestamp: created_at }
  - { name: Thing, table: things }
`;

/** A table with a 32-bit key, beside the contract's 64-bit ones. */
function thingsSchema(kind: string): string {
  return isMysqlFamily(kind)
    ? "CREATE TABLE things (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20)) ENGINE=InnoDB; INSERT INTO things (label) VALUES ('a'), ('b');"
    : "CREATE TABLE things (id serial PRIMARY KEY, label text); INSERT INTO things (label) VALUES ('a'), ('b');";
}

async function get<T>(tb: TestBackend, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(tb.url + path);
  return { status: res.status, body: (await res.json()) as T };
}

/** Sends `subscribe` on a manual connection, then a ping: once the pong is back, the subscribe was read. */
async function subscribeWith(tb: TestBackend, msg: object): Promise<TestClient> {
  const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
  c.send({ type: "subscribe", ...msg });
  c.send({ type: "ping" });
  await c.waitFor("pong", () => c.ofType("pong").length === 1);
  return c;
}

const ids = (c: TestClient) => c.changes("Order").map((m) => Number(m.id));

for (const kind of ALL_KINDS) {
  describe(`ids and times out of range on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      await db.dialect.execute(thingsSchema(kind));
      await db.dialect.execute(insertOrders(1, 10));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("refuses history bounds past the key's type with 400, and takes the type's own maximum", async () => {
      for (const bound of ["after_id", "before_id"]) {
        const { status, body } = await get<ErrorBody>(tb, `/api/entities/Order/records?${bound}=${TWO_63}`);
        assert.equal(status, 400, JSON.stringify(body));
        assert.equal(body.error.code, "invalid_query");
        assert.match(body.error.message, new RegExp(`^${bound}: ${TWO_63} is outside the range of the key column "id" \\(bigint.*, at most 9223372036854775807\\)$`));
      }
      const { status: s1, body: last } = await get<RecordsResponse>(tb, "/api/entities/Order/records?after_id=9223372036854775807");
      assert.equal(s1, 200);
      assert.deepEqual([last.records, last.has_more], [[], false], "nothing after the largest key, not the table from its first row");
      const { body: all } = await get<RecordsResponse>(tb, "/api/entities/Order/records?before_id=9223372036854775807");
      assert.equal(all.records.length, 10);
      assert.equal((await get<ErrorBody>(tb, `/api/entities/Order/records?after_id=99999999999999999999`)).status, 400);
    });

    it("judges bounds by the key's own type: a 32-bit key refuses 2^31", async () => {
      const { status, body } = await get<ErrorBody>(tb, "/api/entities/Thing/records?after_id=2147483648");
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(body.error.message, /at most 2147483647/);
      const ok = await get<RecordsResponse>(tb, "/api/entities/Thing/records?after_id=2147483647");
      assert.deepEqual([ok.status, ok.body.records], [200, []]);
      const c = await subscribeWith(tb, { cursor: { Thing: "2147483648" } });
      assert.deepEqual(c.ofType("error").map((e) => [e.code, e.entities]), [["invalid_cursor", ["Thing"]]]);
      await c.close();
    });

    it("refuses times outside years 1–9999 with 400, and takes the years at both ends", async () => {
      for (const q of ["from=-271821-04-20T00:00:00Z", "to=%2B275760-09-13T00:00:00Z", "from=-000001-01-01T00:00:00Z", "to=%2B010000-01-01T00:00:00Z"]) {
        const { status, body } = await get<ErrorBody>(tb, `/api/entities/Order/records?${q}`);
        assert.equal(status, 400, `${q}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, "invalid_query");
        assert.match(body.error.message, /^(from|to): must be a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z$/);
      }
      const { status, body } = await get<RecordsResponse>(tb, "/api/entities/Order/records?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z");
      assert.equal(status, 200);
      assert.equal(body.records.length, 10);
    });

    it("refuses a WebSocket cursor outside the key's type with invalid_cursor, and changes nothing", async () => {
      const live = await subscribeWith(tb, {});
      await live.waitFor("subscribed", () => live.ofType("subscribed").length === 1);
      live.send({ type: "subscribe", cursor: { Order: "99999999999999999999" } });
      live.send({ type: "subscribe", cursor: { Order: TWO_63, Thing: 0 } });
      await live.waitFor("two errors", () => live.ofType("error").length === 2);
      for (const e of live.ofType("error")) {
        assert.equal(e.code, "invalid_cursor");
        assert.deepEqual(e.entities, ["Order"]);
        assert.match(e.message, /at most 9223372036854775807/);
      }
      await db.dialect.execute(insertOrders(11, 2));
      await live.waitFor("rows still flow to the subscription as it was", () => ids(live).length === 2);
      assert.deepEqual(ids(live), [11, 12]);
      assert.equal(live.ofType("subscribed").length, 1);
      await live.close();
    });

    it("gives a cursor a poll's time to be reached: a backend a row behind replays from it as usual", async () => {
      const position = 12;
      const c = await subscribeWith(tb, { entities: ["Order"], cursor: { Order: position + 2 } });
      await db.dialect.execute(insertOrders(position + 1, 2));
      await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1);
      assert.deepEqual(c.ofType("subscribed")[0]!.cursors, { Order: position + 2 });
      assert.equal(c.ofType("error").length, 0);
      await db.dialect.execute(insertOrders(position + 3, 1));
      await c.waitFor("the next live row", () => ids(c).length === 1);
      assert.deepEqual(ids(c), [position + 3], "the rows up to the cursor were the client's already");
      await c.close();
    });

    it("does not take a cursor ahead of the stream silently: it says so and starts from the stream's position", async () => {
      const position = 15;
      const c = await subscribeWith(tb, { entities: ["Order"], cursor: { Order: 5000 } });
      const quiet = await subscribeWith(tb, { entities: ["Order"], cursor: { Order: 5000 }, snapshot: false });
      await c.waitFor("subscribed", () => c.ofType("subscribed").length === 1, 8000);
      await quiet.waitFor("subscribed", () => quiet.ofType("subscribed").length === 1, 8000);
      const [error] = c.ofType("error");
      assert.equal(error?.code, "cursor_ahead");
      assert.deepEqual(error.entities, ["Order"]);
      assert.match(error.message, new RegExp(`^cursor 5000 of Order is ahead of this server's stream \\(at ${position}\\).*a snapshot up to ${position} follows`));
      assert.deepEqual(c.messages.map((m) => m.type).filter((t) => t !== "pong"), ["connection_ack", "error", "snapshot", "subscribed"]);
      assert.equal(c.ofType("snapshot")[0]!.last_id, position);
      assert.deepEqual(c.ofType("subscribed")[0]!.cursors, { Order: position });
      assert.match(quiet.ofType("error")[0]!.message, new RegExp(`it continues live from ${position}`));
      assert.deepEqual(quiet.ofType("subscribed")[0]!.cursors, { Order: position });
      assert.equal(quiet.ofType("snapshot").length, 0);
      await db.dialect.execute(insertOrders(position + 1, 2));
      await c.waitFor("live rows", () => ids(c).length === 2);
      await quiet.waitFor("live rows", () => ids(quiet).length === 2);
      assert.deepEqual([ids(c), ids(quiet)], [[position + 1, position + 2], [position + 1, position + 2]]);
      await Promise.all([c.close(), quiet.close()]);
    });
  });
}
