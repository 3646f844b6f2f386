/**
 * Reconnection: the backend server is killed (sockets cut, no close frame) and later stopped cleanly,
 * while rows keep being inserted. The query reports `reconnecting`, comes back with a fresh ticket,
 * resumes with its cursor, and ends up holding exactly the rows of the table: none missing, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { LoadingState } from "@grafana/data";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { startBackendProcess, type BackendHandle } from "./support/backend-process.ts";
import { frameIds, installRuntime, makeDatasource, metaOf, Recorder, sleep, request, waitFor } from "./support/datasource.ts";

const YAML = `
polling: { interval_ms: 100 }
server: { cors_origins: ["http://localhost:3000"] }
entities:
  - { name: Order, table: orders, max_records: 5000 }
`;

describe("reconnect and resume", () => {
  let be: BackendHandle;
  beforeAll(async () => {
    be = await startBackendProcess(YAML);
    installRuntime();
    await be.insert(1, 20);
    // The snapshot must hold all 20: rows the poller had not yet seen would arrive live and count as received.
    await waitFor("the poller to count 20 orders", async () => ((await (await fetch(`${be.url}${API_PREFIX}${REST.stats}`)).json()).Order.total as number) === 20);
  });
  afterAll(async () => {
    await be?.exit();
  });

  it("resumes after a crash and after a clean restart with no gap and no duplicate", async () => {
    const ds = makeDatasource(be.url);
    const rec = new Recorder(ds.query(request([{ refId: "A", entity: "Order", queryType: "live" }])));
    const ids = () => frameIds(rec.latest()?.data[0]);
    const status = () => metaOf(rec.latest()?.data[0])?.connection.status;
    await waitFor("the snapshot", () => ids().length === 20);
    // Every row the shared stream appends (not snapshots): a reconnect that re-snapshotted instead of
    // resuming from the cursor would miss the rows written while down here.
    const appended: number[] = [];
    const order = (await ds.getEntities()).find((e) => e.name === "Order")!;
    const tap = ds.live.watch(order, { append: (rows) => appended.push(...rows.map((r) => Number(r.id))) });

    await be.send("writer", { from: 21, everyMs: 15 });
    await waitFor("live rows from the writer", () => ids().length > 40);

    for (const mode of ["crash", "graceful"] as const) {
      await be.stopServer(mode);
      await waitFor(`'reconnecting' after the ${mode}`, () => status() === "reconnecting");
      expect(rec.latest()!.state).toBe(LoadingState.Streaming);
      expect(rec.latest()!.data[0].meta?.notices?.[0]?.severity).toBe("warning");
      const seenWhileDown = ids().length;
      await sleep(1500); // the writer goes on while the server is down
      await be.startServer();
      await waitFor(`'connected' again after the ${mode}`, () => status() === "connected", 30_000);
      await waitFor("rows written while down", () => ids().length > seenWhileDown + 50, 15_000);
    }

    const { inserted } = await be.send<{ inserted: number }>("stopWriter");
    const expected = await be.ids();
    expect(expected.length).toBe(20 + inserted);
    await waitFor("every row of the table", () => ids().length >= expected.length);
    await sleep(300);
    expect(ids()).toEqual(expected); // same rows, same order: nothing missing, nothing twice
    expect(appended).toEqual(expected.filter((id) => id > appended[0]! - 1)); // each live row once, none skipped
    expect(appended[appended.length - 1]).toBe(expected[expected.length - 1]);
    expect(metaOf(rec.latest()!.data[0])!.received).toBe(inserted);
    tap.stop();
    expect(ds.live.socketsOpened).toBe(3);
    rec.stop();
  });
});
