/**
 * No row is ever skipped: 16 writer connections commit keys out of order, some roll back, and three
 * clients each receive every committed row exactly once, in key order (tests/helpers/out-of-order.ts).
 * PGlite runs one transaction at a time, so out-of-order commits need a real server.
 */
import { after, before, describe, it } from "node:test";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { assertOutOfOrderDelivery, OUT_OF_ORDER_YAML } from "../helpers/out-of-order.ts";

const OPTIONS = { writers: 16, targetRows: 10_000, rollbackRate: 0.08 };

for (const kind of ALL_KINDS.filter((k) => k !== "pglite")) {
  describe(`out-of-order commits on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      tb = await startBackend(db, OUT_OF_ORDER_YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it(`delivers ${OPTIONS.targetRows}+ rows from ${OPTIONS.writers} concurrent writers exactly once, in order, to three clients`, { timeout: 180_000 }, () =>
      assertOutOfOrderDelivery(db, tb, OPTIONS));
  });
}
