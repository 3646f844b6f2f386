/**
 * The fault suite on PostgreSQL (helpers/fault-suite.ts), against a private server the test starts, so
 * that it can also restart it: black hole, pause and reset of the network, a server restart, and
 * `kill -9` of the backend, with writers inserting and clients counting — no row lost, none twice.
 */
import { describe } from "node:test";
import postgres from "postgres";
import { contractSchema } from "../helpers/schema.ts";
import { faultSuite } from "../helpers/fault-suite.ts";
import { privatePostgresSkipReason, startPrivatePostgres } from "../helpers/postgres-server.ts";

describe("faults on postgres", { skip: privatePostgresSkipReason() }, () => {
  faultSuite(async () => {
    const server = await startPrivatePostgres();
    const sql = postgres(server.url, { max: 2, onnotice: () => {} });
    await sql.unsafe(contractSchema("postgres"));
    return {
      name: "PostgreSQL",
      host: "127.0.0.1",
      port: server.port,
      urlThrough: (port) => server.url.replace(`:${server.port}/`, `:${port}/`),
      insert: () => sql`INSERT INTO orders (order_key) VALUES ('fault')`,
      committed: async () => (await sql<{ id: string }[]>`SELECT id FROM orders ORDER BY id`).map((r) => Number(r.id)),
      restart: () => server.restart(),
      async teardown() {
        await sql.end({ timeout: 1 });
        await server.stop();
      },
    };
  });
});
