/**
 * What live rows tell the Entity stream panel besides the rows, against a real backend (its own
 * process, embedded PGlite): an idle entity's total is the database's count (its snapshot rows are not
 * counted a second time), rows arriving live are added until the next statistics count them, each
 * entity's place in the configuration, its alerts and insert trend, and the database's state from
 * /api/health when an outage starts after the subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { installRuntime, makeDatasource, metaOf, Recorder, request, waitFor } from "./support/datasource.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { stats_interval_ms: 300, cors_origins: ["http://localhost:3000"] }
entities:
  - { name: OrderLineItem, table: order_line_items }
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total], alerts: { min_per_minute: 2 } }
`;

describe("live rows' meta", () => {
  let be: BackendHandle;
  beforeAll(async () => {
    be = await startBackendProcess(YAML);
    installRuntime();
    // Rows that are there when the backend starts: its count at start-up holds them, no insert follows.
    await be.insert(1, 3);
    await be.stopServer();
    await be.startServer();
  });
  afterAll(async () => {
    await be?.exit();
  });

  it("an idle entity's total is the database's count, not its rows counted twice; live rows add to it", async () => {
    const sent = await (await fetch(`${be.url}${API_PREFIX}${REST.stats}`)).json();
    expect(sent.Order).toMatchObject({ total: 3, last_id: null });
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "A", entity: "Order", queryType: "live" }])));
    await waitFor("the snapshot", () => (rec.latest()?.data[0]?.length ?? 0) === 3);
    const meta = () => metaOf(rec.latest()!.data[0]);
    expect(meta()!.stats!.total).toBe(3);
    await new Promise((r) => setTimeout(r, 700)); // a stats_update or two: still the count
    expect(meta()!.stats!.total).toBe(3);

    await be.insert(4, 2);
    await waitFor("the 2 new rows", () => rec.latest()!.data[0]!.length === 5);
    expect(meta()!.stats!.total).toBe(5);
    await waitFor("statistics that count them", async () => ((await (await fetch(`${be.url}${API_PREFIX}${REST.stats}`)).json()).Order.last_id as number) === 5);
    await new Promise((r) => setTimeout(r, 700));
    expect(meta()!.stats!.total).toBe(5);
    rec.stop();
  });

  it("carries the entity's place in the configuration, its alerts, its insert trend and the database's state", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(
      ds.query(
        request([
          { refId: "A", entity: "Order", queryType: "live" },
          { refId: "B", entity: "OrderLineItem", queryType: "live" },
        ]),
      ),
    );
    await waitFor("both entities", () => Boolean(rec.latest(`${ds.uid}/A`) && rec.latest(`${ds.uid}/B`)));
    await waitFor("the positions", () => metaOf(rec.latest(`${ds.uid}/A`)!.data[0])?.entity?.position === 1);
    const order = metaOf(rec.latest(`${ds.uid}/A`)!.data[0])!;
    expect(order.entity).toMatchObject({ name: "Order", position: 1, alerts: { min_per_minute: 2 }, timestamp: "created_at" });
    expect(metaOf(rec.latest(`${ds.uid}/B`)!.data[0])!.entity!.position).toBe(0);
    expect(order.trend!.length).toBeGreaterThanOrEqual(2);
    expect(order.trend!.every((p) => typeof p.time === "number" && p.perMinute >= 0)).toBe(true);
    expect(order.database).toMatchObject({ status: "ok" });

    // The database stops answering after the subscription: only /api/health says so, and the meta follows.
    await be.send("dbDown");
    try {
      await waitFor("the database's outage", () => metaOf(rec.latest(`${ds.uid}/A`)!.data[0])?.database?.status === "unavailable", 20_000);
      expect(metaOf(rec.latest(`${ds.uid}/A`)!.data[0])!.database!.message).toMatch(/ECONNREFUSED|database/);
    } finally {
      await be.send("dbUp");
    }
    await waitFor("the database back", () => metaOf(rec.latest(`${ds.uid}/A`)!.data[0])?.database?.status === "ok", 20_000);
    rec.stop();
  });
});
