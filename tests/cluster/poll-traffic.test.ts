/**
 * With `cluster.bus`, the database's poll traffic is the same with one replica as with three: one
 * replica polls each entity and the others follow it over NATS. Without the bus every replica polls
 * every entity, so the traffic grows with the replicas. Counted at a proxy in front of PostgreSQL
 * (bench/harness/pg-proxy.ts): the query messages of the wire protocol — simple Query ('Q') and
 * extended-protocol Execute ('E') — that all replicas together send, over a window after they started
 * (the queries of starting up are not counted), idle and while a writer inserts.
 *
 * The replicas run in this process (one Backend each, with its own connections, lock session and bus
 * connection): what is counted is what goes to the database, which is the same in or out of process.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startQueryCounter, type QueryCounter } from "../../bench/harness/pg-proxy.ts";
import { Backend } from "../../backend/backend.ts";
import { parseConfig } from "../../backend/config/load.ts";
import { createLogger } from "../../backend/log.ts";
import { createTestDatabase, skipReason, uniqueName, type TestDatabase } from "../helpers/databases.ts";
import { Inserts } from "../helpers/fault-workload.ts";
import { NATS_URL, natsSkipReason } from "./support/replicas.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WINDOW_MS = 4000;
const INTERVAL_MS = 200;

interface Traffic {
  idle: number;
  writing: number;
}

describe("database poll traffic with one and three replicas, with and without the bus", { skip: (await skipReason("postgres")) ?? (await natsSkipReason()) }, () => {
  let db: TestDatabase;
  let counter: QueryCounter;
  let proxied: string;
  const figures: Record<string, Traffic> = {};

  before(async () => {
    db = await createTestDatabase("postgres");
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text); CREATE TABLE order_line_items (id bigserial PRIMARY KEY, v text)");
    const url = new URL(db.url!);
    counter = await startQueryCounter({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${counter.port}`;
    proxied = url.toString();
  });
  after(async () => {
    await counter?.close();
    await db?.drop();
  });

  /** Queries per second all `replicas` send together, idle then while rows are inserted. */
  async function measure(replicas: number, bus: boolean): Promise<Traffic> {
    const cluster = uniqueName("nntraffic");
    const backends: Backend[] = [];
    try {
      for (let i = 0; i < replicas; i++) {
        const yaml = [
          `database: { url: "${proxied}" }`,
          `polling: { interval_ms: ${INTERVAL_MS}, wake: none }`,
          `cluster: { name: ${cluster}, replica: r${i + 1}${bus ? `, bus: "${NATS_URL}"` : ""} }`,
          "entities:\n  - { name: Order, table: orders }\n  - { name: OrderLineItem, table: order_line_items }",
        ].join("\n");
        const backend = await Backend.create({ config: await parseConfig(yaml, "test.yaml", {}), log: createLogger("error"), source: "test.yaml" });
        backends.push(backend);
        backend.start();
      }
      await Promise.all(backends.map((b) => b.ready()));
      if (bus) {
        // One poller per entity across the replicas, the others following it.
        for (const entity of ["Order", "OrderLineItem"]) {
          const roles = backends.map((b) => b.health().entities[entity]!.role);
          assert.equal(roles.filter((r) => r === "poller").length, 1, `one poller of ${entity}: ${roles.join(", ")}`);
        }
      }
      await sleep(1000); // past the start's own queries (counts, the start position)
      const rate = async () => {
        const q0 = counter.queries;
        await sleep(WINDOW_MS);
        return ((counter.queries - q0) * 1000) / WINDOW_MS;
      };
      const idle = await rate();
      const writer = new Inserts(() => db.dialect.execute("INSERT INTO orders (v) VALUES ('x'); INSERT INTO order_line_items (v) VALUES ('y')"), 20);
      await sleep(500);
      const writing = await rate();
      await writer.stop();
      return { idle, writing };
    } finally {
      for (const b of backends) await b.stop();
      for (const b of backends) await b.dialect.close().catch(() => {});
    }
  }

  it("with the bus, three replicas send the database what one does", { timeout: 120_000 }, async () => {
    figures["bus, 1 replica"] = await measure(1, true);
    figures["bus, 3 replicas"] = await measure(3, true);
    const [one, three] = [figures["bus, 1 replica"], figures["bus, 3 replicas"]];
    assert.ok(three.idle <= one.idle * 1.25 + 1, `idle: ${three.idle.toFixed(1)} q/s with 3 replicas vs ${one.idle.toFixed(1)} with 1`);
    assert.ok(three.writing <= one.writing * 1.5 + 2, `writing: ${three.writing.toFixed(1)} q/s with 3 replicas vs ${one.writing.toFixed(1)} with 1`);
  });

  it("without the bus, every replica polls: the traffic grows with the replicas", { timeout: 120_000 }, async () => {
    figures["no bus, 1 replica"] = await measure(1, false);
    figures["no bus, 3 replicas"] = await measure(3, false);
    const [one, three] = [figures["no bus, 1 replica"], figures["no bus, 3 replicas"]];
    assert.ok(three.idle >= one.idle * 2.4, `idle: ${three.idle.toFixed(1)} q/s with 3 replicas vs ${one.idle.toFixed(1)} with 1`);
    assert.ok(three.writing >= one.writing * 2, `writing: ${three.writing.toFixed(1)} q/s with 3 replicas vs ${one.writing.toFixed(1)} with 1`);
    for (const [name, t] of Object.entries(figures)) process.stdout.write(`# ${name}: ${t.idle.toFixed(1)} queries/s idle, ${t.writing.toFixed(1)} while 40 rows/s are inserted (2 entities, interval ${INTERVAL_MS} ms, wake none)\n`);
  });
});
