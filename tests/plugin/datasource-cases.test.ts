/**
 * The datasource in the situations a dashboard meets, against a real backend (its own process,
 * embedded PGlite): a query over several entities counts each one's arrivals on its own; multi-value
 * and "All" template variables; a History query whose live stream only starts after many more rows
 * than a snapshot holds (the rows between are read, none skipped); the backend's database not answering
 * while a query starts (said, then rows once it answers).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { dateTime, LoadingState, type ScopedVars, type TimeRange } from "@grafana/data";
import { setTemplateSrv, type TemplateSrv } from "@grafana/runtime";
import { API_PREFIX, recordsPath } from "../../contract/index.ts";
import { LiveClient } from "../../src/client/live-client.ts";
import type { NomnomDataSource } from "../../src/datasource/datasource.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { frameIds, installRuntime, makeDatasource, metaOf, Recorder, request, waitFor } from "./support/datasource.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { stats_interval_ms: 200, cors_origins: ["http://localhost:3000"] }
entities:
  - { name: Order, table: orders, timestamp: created_at, max_records: 5 }
  - { name: OrderLineItem, table: order_line_items }
`;

function lastHour(): TimeRange {
  const to = dateTime();
  return { from: dateTime(to.valueOf() - 3_600_000), to, raw: { from: "now-1h", to: "now" } };
}

/**
 * Grafana's TemplateSrv for one dashboard variable `$entity`: as Grafana does, a multi-value (or "All")
 * value is handed to the format function as an array; without one it is joined as `{a,b}`.
 */
function templateSrvWith(value: string | string[]): TemplateSrv {
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => Boolean(t?.includes("$entity")),
    updateTimeRange: () => {},
    replace: (target?: string, _vars?: ScopedVars, format?: string | ((v: unknown) => string)) =>
      (target ?? "").replace(/\$entity|\$\{entity\}/g, () => (typeof format === "function" ? format(value) : Array.isArray(value) ? `{${value.join(",")}}` : value)),
  };
}

/** A WebSocket that connects only once `open()` is called: the socket of a slow network, or a backend in backoff. */
function gatedSockets(): { WebSocketImpl: typeof WebSocket; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  class Gated {
    readyState = 0;
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onclose: ((e: CloseEvent) => void) | null = null;
    onerror: ((e: Event) => void) | null = null;
    private ws: WebSocket | null = null;
    private closed = false;
    constructor(url: string) {
      void gate.then(() => {
        if (this.closed) return;
        const ws = new WebSocket(url);
        this.ws = ws;
        ws.onopen = (e) => {
          this.readyState = 1;
          this.onopen?.(e);
        };
        ws.onmessage = (e) => this.onmessage?.(e);
        ws.onerror = (e) => this.onerror?.(e);
        ws.onclose = (e) => {
          this.readyState = 3;
          this.onclose?.(e);
        };
      });
    }
    send(data: string) {
      this.ws?.send(data);
    }
    close(code?: number, reason?: string) {
      this.closed = true;
      this.ws?.close(code, reason);
    }
  }
  return { WebSocketImpl: Gated as unknown as typeof WebSocket, open };
}

describe("datasource cases", () => {
  let be: BackendHandle;
  let next = 1;
  const insertOrders = async (count: number) => {
    await be.insert(next, count);
    next += count;
  };
  const settled = (total: number) =>
    waitFor(`the backend to pass ${total} orders`, async () => ((await (await fetch(`${be.url}${API_PREFIX}${recordsPath("Order")}?limit=1`)).json()).cursor as number) >= total);

  beforeAll(async () => {
    be = await startBackendProcess(YAML);
    await insertOrders(10);
  });
  afterAll(async () => {
    await be?.exit();
  });

  it("a query over several entities counts each entity's arrivals on its own", async () => {
    installRuntime();
    await settled(10);
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "A", queryType: "live" }])));
    await waitFor("both entities", () => rec.latest()?.data.length === 2);
    const received = () => Object.fromEntries(rec.latest()!.data.map((f) => [metaOf(f)!.entity!.name, metaOf(f)!.received]));
    const before = received();
    await insertOrders(3);
    await waitFor("the 3 orders", () => received().Order === before.Order! + 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(received()).toEqual({ Order: before.Order! + 3, OrderLineItem: before.OrderLineItem });
    rec.stop();
  });

  it("a multi-value or All template variable stands for each of its entities", async () => {
    installRuntime();
    setTemplateSrv(templateSrvWith(["Order", "OrderLineItem"]));
    const ds = makeDatasource(be.url);
    const both = new Recorder(ds.query(request([{ refId: "A", entity: "$entity", queryType: "live" }])));
    await waitFor("an answer", () => both.responses.length > 0);
    expect(both.latest()!.errors).toBeUndefined();
    expect(both.latest()!.data.map((f) => metaOf(f)!.entity!.name)).toEqual(["Order", "OrderLineItem"]);
    both.stop();

    setTemplateSrv(templateSrvWith(["Order", "Nope", "Neither"]));
    const wrong = new Recorder(ds.query(request([{ refId: "B", entity: "$entity", queryType: "live" }])));
    await waitFor("an answer", () => wrong.responses.length > 0);
    expect(wrong.latest()!.errors?.[0]?.message).toBe('The backend does not watch entities named "Nope", "Neither"; it watches: Order, OrderLineItem.');
    wrong.stop();

    setTemplateSrv(templateSrvWith("$__all"));
    const all = new Recorder(ds.query(request([{ refId: "C", entity: "$entity", queryType: "stats" }])));
    await waitFor("an answer", () => all.responses.length > 0);
    expect(all.latest()!.data[0]!.fields.find((f: { name: string }) => f.name === "entity")!.values).toEqual(["Order", "OrderLineItem"]);
    all.stop();
    installRuntime();
  });

  it("History following now reads the rows between its cursor and a stream that starts late: no gap", async () => {
    installRuntime();
    await settled(next - 1);
    const ds = makeDatasource(be.url);
    const gated = gatedSockets();
    (ds as unknown as { client: LiveClient }).client = new LiveClient({ api: ds.api, baseUrl: ds.browserUrl, WebSocketImpl: gated.WebSocketImpl });
    const historyEnd = next - 1;
    const rec = new Recorder(ds.query(request([{ refId: "H", entity: "Order", queryType: "history" }], lastHour())));
    await waitFor("the history", () => rec.responses.length > 0);
    expect(frameIds(rec.latest()!.data[0])).toEqual(Array.from({ length: historyEnd }, (_, i) => i + 1));
    // 20 rows while the socket is not yet open: 4 times what the snapshot (max_records 5) will hold.
    await insertOrders(20);
    await settled(next - 1);
    gated.open();
    await insertOrders(2);
    await waitFor("the live rows", () => frameIds(rec.latest()!.data[0]).at(-1) === next - 1);
    expect(frameIds(rec.latest()!.data[0])).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
    rec.stop();
  });

  it("says so when the backend's database does not answer, then streams once it does", async () => {
    installRuntime();
    const ds: NomnomDataSource = makeDatasource(be.url);
    await be.send("dbDown");
    try {
      const rec = new Recorder(ds.query(request([{ refId: "A", entity: "Order", queryType: "live" }])));
      await waitFor("the error", () => Boolean(rec.latest()?.errors?.length));
      expect(rec.latest()!.state).toBe(LoadingState.Error);
      // Whichever notice reaches it first: its own read failing, or the poller's outage notice for Order.
      expect(rec.latest()!.errors![0]!.message).toMatch(
        /^(could not read Order from the database \(.*test outage.*\); retrying until it answers|the database is unreachable \(.*test outage.*\); rows written meanwhile follow once the database answers)$/,
      );
      await be.send("dbUp");
      await insertOrders(1);
      await waitFor("rows once the database answers", () => rec.latest()?.state === LoadingState.Streaming && frameIds(rec.latest()!.data[0]).at(-1) === next - 1, 20_000);
      expect(rec.latest()!.errors).toBeUndefined();
      rec.stop();
    } finally {
      await be.send("dbUp");
    }
  });
});
