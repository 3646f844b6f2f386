/**
 * The datasource against a real backend (its own process, embedded PGlite): live queries backfill from
 * the snapshot before their first emission, stream new rows as LoadingState.Streaming responses with a
 * key per query, share one WebSocket, carry typed fields, and close the socket when they stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { FieldType, LoadingState, type DataFrame } from "@grafana/data";
import { API_PREFIX, recordsPath } from "../../contract/index.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { frameIds, installRuntime, makeDatasource, metaOf, Recorder, sleep, request, waitFor } from "./support/datasource.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { stats_interval_ms: 300, cors_origins: ["http://localhost:3000"] }
entities:
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total], max_records: 100, color: "#3b82f6", icon: "O" }
  - { name: OrderLineItem, table: order_line_items }
`;

describe("live queries", () => {
  let be: BackendHandle;
  beforeAll(async () => {
    be = await startBackendProcess(YAML);
    installRuntime();
    await be.insert(1, 10);
  });
  afterAll(async () => {
    await be?.exit();
  });

  it("backfills, streams with a key per query over one socket, types the fields, and closes the socket on teardown", async () => {
    await waitFor("the backend to see the 10 rows", async () => (await (await fetch(`${be.url}${API_PREFIX}${recordsPath("Order")}?limit=20`)).json()).records.length === 10);
    const ds = makeDatasource(be.url);
    const rec = new Recorder(
      ds.query(
        request([
          { refId: "A", entity: "Order", queryType: "live" },
          { refId: "B", entity: "OrderLineItem", queryType: "live" },
        ]),
      ),
    );
    await waitFor("a response for each query", () => Boolean(rec.latest(`${ds.uid}/A`) && rec.latest(`${ds.uid}/B`)));

    // The first emission of A already holds the snapshot.
    const firstA = rec.responses.find((r) => r.key === `${ds.uid}/A`)!;
    expect(firstA.state).toBe(LoadingState.Streaming);
    expect(frameIds(firstA.data[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rec.latest(`${ds.uid}/B`)!.data[0].name).toBe("OrderLineItem");
    expect(new Set(rec.responses.map((r) => r.key))).toEqual(new Set([`${ds.uid}/A`, `${ds.uid}/B`]));

    await be.insert(11, 5);
    await waitFor("the 5 new rows", () => frameIds(rec.latest(`${ds.uid}/A`)?.data[0]).length === 15);
    const frame = rec.latest(`${ds.uid}/A`)!.data[0];
    expect(frameIds(frame)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(rec.latest(`${ds.uid}/A`)!.state).toBe(LoadingState.Streaming);

    // Typed fields: decimals as numbers, times as time, text as string.
    const field = (name: string) => (frame as DataFrame).fields.find((f) => f.name === name)!;
    expect(field("id").type).toBe(FieldType.number);
    expect(field("total").type).toBe(FieldType.number);
    expect(field("total").values[1]).toBe(3);
    expect(field("order_key").type).toBe(FieldType.string);
    expect(field("order_key").values[14]).toBe("O-15");
    expect(field("created_at").type).toBe(FieldType.time);
    expect(typeof field("created_at").values[0]).toBe("number");
    expect(field("d").type).toBe(FieldType.time);
    expect(field("d").values[0]).toBe(Date.UTC(2024, 9, 29));

    // What the panel reads: the entity's look and the connection.
    const meta = metaOf(frame)!;
    expect(meta.entity).toMatchObject({ name: "Order", color: "#3b82f6", icon: "O", display: ["order_key", "total"], max_records: 100 });
    expect(meta.connection.status).toBe("connected");
    expect(meta.received).toBe(5);

    // Both queries share one WebSocket.
    expect(ds.live.socketsOpened).toBe(1);
    expect((await be.health()).clients).toBe(1);

    rec.stop();
    await waitFor("the socket to close after the queries stop", async () => (await be.health()).clients === 0, 10_000);
    expect(ds.live.active).toBe(false);
  });

  it("keeps only the query's fields and row limit, and streams every entity when none is given", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "A", queryType: "live", fields: ["order_key", "total"], limit: 3 }])));
    await waitFor("frames", () => (rec.latest()?.data.length ?? 0) === 2);
    const [order, lines] = rec.latest()!.data;
    expect(order.name).toBe("Order");
    expect(lines.name).toBe("OrderLineItem");
    expect((order as DataFrame).fields.map((f) => f.name)).toEqual(["order_key", "total"]);
    expect(order.length).toBe(3);
    expect(order.fields[0].values).toEqual(["O-13", "O-14", "O-15"]);
    rec.stop();
  });

  it("reports an unknown entity by name", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "A", entity: "Orders", queryType: "live" }])));
    await waitFor("the error", () => rec.responses.length > 0);
    const r = rec.latest()!;
    expect(r.state).toBe(LoadingState.Error);
    expect(r.errors?.[0]?.message).toBe('The backend does not watch an entity named "Orders"; it watches: Order, OrderLineItem.');
    rec.stop();
    await sleep(10);
  });
});
