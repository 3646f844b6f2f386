/**
 * Stats, insert rate and history queries against a real backend: stats and rate backfill from
 * /api/stats and follow stats_update; history reads the time range and, when it ends at "now",
 * continues live from the history's cursor without gap or duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { dateTime, FieldType, LoadingState, type TimeRange } from "@grafana/data";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { frameIds, installRuntime, makeDatasource, metaOf, Recorder, request, waitFor } from "./support/datasource.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { stats_interval_ms: 200, cors_origins: ["http://localhost:3000"] }
entities:
  - { name: Order, table: orders, timestamp: created_at, max_records: 100 }
  - { name: OrderLineItem, table: order_line_items }
`;

function lastHour(): TimeRange {
  const to = dateTime();
  return { from: dateTime(to.valueOf() - 3_600_000), to, raw: { from: "now-1h", to: "now" } };
}

describe("stats, rate and history queries", () => {
  let be: BackendHandle;
  beforeAll(async () => {
    be = await startBackendProcess(YAML);
    installRuntime();
    await be.insert(1, 30);
  });
  afterAll(async () => {
    await be?.exit();
  });

  it("stats: one row per entity, first from /api/stats, then from stats_update", async () => {
    await waitFor("the poller to count 30 orders", async () => ((await (await fetch(`${be.url}${API_PREFIX}${REST.stats}`)).json()).Order.total as number) === 30);
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "S", queryType: "stats" }])));
    await waitFor("the first stats", () => rec.responses.length > 0);
    const first = rec.responses[0]!.data[0];
    expect(first.name).toBe("stats");
    expect(first.fields.find((f: { name: string }) => f.name === "entity").values).toEqual(["Order", "OrderLineItem"]);
    expect(first.fields.find((f: { name: string }) => f.name === "total").values).toEqual([30, 0]);
    expect(first.fields.find((f: { name: string }) => f.name === "last_insert_at").type).toBe(FieldType.time);
    await be.insert(31, 4);
    await waitFor("stats_update with the new total", () => rec.latest()!.data[0].fields.find((f: { name: string }) => f.name === "total").values[0] === 34);
    expect(rec.latest()!.state).toBe(LoadingState.Streaming);
    rec.stop();
  });

  it("rate: a time series per entity that grows with every stats_update", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "R", entity: "Order", queryType: "rate" }], lastHour())));
    await waitFor("three points", () => (rec.latest()?.data[0]?.length ?? 0) >= 3);
    const frame = rec.latest()!.data[0];
    expect(frame.name).toBe("Order");
    expect(frame.fields.map((f: { type: FieldType }) => f.type)).toEqual([FieldType.time, FieldType.number]);
    const times = frame.fields[0].values as number[];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    rec.stop();
  });

  it("history: the rows of the range, then live rows after its cursor", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "H", entity: "Order", queryType: "history" }], lastHour())));
    await waitFor("the history", () => rec.responses.length > 0);
    expect(frameIds(rec.responses[0]!.data[0])).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    expect(metaOf(rec.responses[0]!.data[0])!.kind).toBe("history");
    await be.insert(35, 3);
    await waitFor("live rows after the history", () => frameIds(rec.latest()!.data[0]).length === 37);
    expect(frameIds(rec.latest()!.data[0])).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
    rec.stop();
  });

  it("history: a range in the past is read once and done; an entity without timestamp is explained", async () => {
    const ds = makeDatasource(be.url);
    const past: TimeRange = { from: dateTime(Date.now() - 7_200_000), to: dateTime(Date.now() - 3_600_000), raw: { from: "now-2h", to: "now-1h" } };
    const rec = new Recorder(ds.query(request([{ refId: "P", entity: "Order", queryType: "history" }], past)));
    await waitFor("the answer", () => rec.responses.length > 0);
    expect(rec.latest()!.state).toBe(LoadingState.Done);
    expect(rec.latest()!.data[0].length).toBe(0);
    rec.stop();

    const bad = new Recorder(ds.query(request([{ refId: "X", entity: "OrderLineItem", queryType: "history" }], lastHour())));
    await waitFor("the error", () => bad.responses.length > 0);
    expect(bad.latest()!.errors?.[0]?.message).toBe('Entity "OrderLineItem" has no timestamp column, so it has no history by time: set `timestamp:` for it in the backend\'s YAML.');
    bad.stop();
  });
});
