/**
 * Keys at the top of their type work end to end — the poll, the gap cursor, the snapshot, history,
 * a replay from a cursor, statistics and health: MariaDB's BIGINT UNSIGNED up to 2^64 − 1 (its upper
 * half used to wrap around in a signed cast, so the snapshot and history were empty while the stats
 * counted the rows), and PostgreSQL's bigint up to 2^63 − 1. Ids past 2^53 travel as strings.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EntityStatsMap, ErrorBody, HealthResponse, RecordsResponse } from "../../contract/rest.ts";
import { createTestDatabase, skipReason, type DbKind, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { TestClient } from "../helpers/ws-client.ts";

const YAML = "polling: { interval_ms: 100 }\nentities:\n  - { name: Big, table: big_things, timestamp: created_at }\n";

const TOPS: Record<"postgres" | "mariadb", { top: bigint; schema: (base: bigint) => string; insert: string }> = {
  mariadb: {
    top: (1n << 64n) - 1n,
    schema: (base) => `CREATE TABLE big_things (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20),
      created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
      INSERT INTO big_things (id, label) VALUES (${base + 1n}, 'a'); INSERT INTO big_things (label) VALUES ('b');`,
    insert: "INSERT INTO big_things (label) VALUES ('x')",
  },
  postgres: {
    top: (1n << 63n) - 1n,
    schema: (base) => `CREATE TABLE big_things (id bigserial PRIMARY KEY, label text, created_at timestamptz NOT NULL DEFAULT now());
      SELECT setval('big_things_id_seq', ${base}); INSERT INTO big_things (label) VALUES ('a'), ('b');`,
    insert: "INSERT INTO big_things (label) VALUES ('x')",
  },
};

for (const kind of ["postgres", "mariadb"] as const satisfies DbKind[]) {
  const { top, schema, insert } = TOPS[kind];
  const base = top - 100n;
  const id = (n: number) => (base + BigInt(n)).toString();

  describe(`keys at the top of their type on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(schema(base));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    const get = async <T>(path: string, status = 200): Promise<T> => {
      const res = await fetch(tb.url + path);
      const body = (await res.json()) as T;
      assert.equal(res.status, status, `${path}: ${JSON.stringify(body)}`);
      return body;
    };

    it("streams, pages and replays them, passes a gap among them, and counts them", async () => {
      const live = await TestClient.connect(tb.wsUrl);
      await live.waitFor("subscribed", () => live.ofType("subscribed").length === 1);
      const [snapshot] = live.ofType("snapshot");
      assert.deepEqual(snapshot!.data.map((r) => r.id), [id(1), id(2)], "the snapshot holds the rows");
      assert.equal(snapshot!.last_id, id(2));

      const page = await get<RecordsResponse>("/api/entities/Big/records");
      assert.deepEqual([page.records.map((r) => r.id), page.cursor, page.has_more], [[id(1), id(2)], id(2), false]);
      assert.deepEqual((await get<RecordsResponse>(`/api/entities/Big/records?after_id=${id(1)}`)).records.map((r) => r.id), [id(2)]);
      assert.deepEqual((await get<RecordsResponse>(`/api/entities/Big/records?before_id=${top}`)).records.length, 2);
      assert.deepEqual((await get<RecordsResponse>(`/api/entities/Big/records?after_id=${top}`)).records, []);
      const refused = await get<ErrorBody>(`/api/entities/Big/records?after_id=${top + 1n}`, 400);
      assert.match(refused.error.message, new RegExp(`at most ${top}\\)$`));

      await db.dialect.execute(`${insert}; ${insert}`);
      await live.waitFor("two live rows", () => live.changes("Big").length === 2);
      // A key drawn by a transaction that rolls back: the gap cursor waits for it, then passes it.
      await db
        .transaction(async (exec) => {
          await exec(insert);
          throw new Error("roll back");
        })
        .catch(() => {});
      await db.dialect.execute(insert);
      await live.waitFor("the row after the gap", () => live.changes("Big").length === 3);
      assert.deepEqual(live.changes("Big").map((c) => c.id), [id(3), id(4), id(6)]);

      const resumed = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      resumed.send({ type: "subscribe", cursor: { Big: id(2) } });
      await resumed.waitFor("subscribed", () => resumed.ofType("subscribed").length === 1);
      assert.deepEqual(resumed.changes("Big").map((c) => c.id), [id(3), id(4), id(6)], "the replay from a cursor");
      assert.deepEqual(resumed.ofType("subscribed")[0]!.cursors, { Big: id(6) });
      resumed.send({ type: "subscribe", cursor: { Big: (top + 1n).toString() } });
      await resumed.waitFor("the refusal", () => resumed.ofType("error").length === 1);
      assert.equal(resumed.ofType("error")[0]!.code, "invalid_cursor");

      const stats = await get<EntityStatsMap>("/api/stats");
      assert.deepEqual([stats.Big!.total, stats.Big!.last_id], [5, id(6)]);
      const health = await get<HealthResponse>("/api/health");
      assert.equal(health.entities.Big!.last_id, id(6));
      await Promise.all([live.close(), resumed.close()]);
    });
  });
}
