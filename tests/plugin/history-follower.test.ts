/**
 * The History query's follower on its own, without Grafana or a backend: an in-memory entity table
 * stands in for `/records` and a fake live stream is driven by hand. It reads the range newest first
 * in pages; joins a stream that starts before or after the history is read; fills from `/records` the
 * rows between its cursor and a late snapshot (no gap); and applies the stream's changes — those that
 * arrived early, and those that arrive while it fills — once each, in order (no duplicate).
 */
import { describe, expect, it } from "@jest/globals";
import type { EntityInfo, RecordsQuery, RecordsResponse, Row } from "../../contract/index.ts";
import type { StoredChange, StoredRow, StreamListener } from "../../src/client/entity-stream.ts";
import { HistoryFollower, type LiveStreams } from "../../src/client/history-follower.ts";
import { HISTORY_PAGE, type RecordsApi } from "../../src/client/records-pager.ts";

const ORDER: EntityInfo = {
  name: "Order",
  table: "orders",
  color: "#3b82f6",
  icon: "O",
  key: "id",
  timestamp: "created_at",
  max_records: 5,
  fields: [
    { name: "id", type: "integer", display: false },
    { name: "order_key", type: "string", display: true },
  ],
};

const data = (id: number): Row => ({ id, order_key: `O-${id}` });
const row = (id: number): StoredRow => ({ id, data: data(id) });
const insert = (id: number): StoredChange => ({ type: "insert", id, key: id, data: data(id) });
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Lets every pending promise of the follower run (the fakes answer within the same turn). */
const settle = () => new Promise((r) => setTimeout(r, 0));

/**
 * The entity table as `/records` reads it: keys 1…n, newest first below `before_id`, never past the
 * stream position (`cursor`). Time bounds are not modelled: every row is in the range.
 */
class FakeRecords implements RecordsApi {
  position = 0;
  readonly calls: RecordsQuery[] = [];
  private gate: Promise<void> | null = null;

  /** Inserts rows up to `id`, which the backend has seen (the position moves with them). */
  insertUpTo(id: number): void {
    this.position = id;
  }

  /** Holds every answer until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = null;
      release();
    };
  }

  async records(entity: string, query: RecordsQuery): Promise<RecordsResponse> {
    this.calls.push(query);
    if (this.gate) await this.gate;
    const below = query.before_id === undefined ? this.position + 1 : Math.min(Number(query.before_id), this.position + 1);
    const matching = ids(1, below - 1);
    const limit = query.limit ?? 100;
    return { entity, records: matching.slice(-limit).map(data), cursor: this.position === 0 ? null : this.position, has_more: matching.length > limit };
  }
}

/** The live stream as LiveClient gives it, driven by the test. */
class FakeLive implements LiveStreams {
  mode: "table" | "events" = "table";
  readonly streams = new Map<string, { rows: StoredRow[] }>();
  readonly listeners = new Set<StreamListener>();

  watch(_info: EntityInfo, listener: StreamListener): { stop(): void } {
    this.listeners.add(listener);
    return { stop: () => this.listeners.delete(listener) };
  }

  snapshot(rows: StoredRow[]): void {
    for (const l of this.listeners) l.snapshot?.(rows);
  }

  append(changes: StoredChange[]): void {
    for (const l of this.listeners) l.append?.(changes);
  }
}

function follow(api: FakeRecords, live: FakeLive | undefined, limit = 5000) {
  const errors: unknown[] = [];
  let changes = 0;
  const follower = new HistoryFollower({ info: ORDER, api, live, range: {}, limit, onChange: () => changes++, onError: (e) => errors.push(e) });
  follower.start();
  return { follower, errors, changes: () => changes, rowIds: () => follower.rows.map((r) => Number(r.id)) };
}

describe("history follower", () => {
  it("reads the range newest first, a page at a time, and keeps the newest `limit` rows ascending", async () => {
    const api = new FakeRecords();
    api.insertUpTo(2500);
    const { follower, rowIds, changes } = follow(api, undefined, 2200);
    await settle();
    expect(rowIds()).toEqual(ids(301, 2500));
    expect(follower.cursor).toBe(2500);
    expect(follower.loaded).toBe(true);
    expect(changes()).toBeGreaterThan(0);
    expect(api.calls).toEqual([{ limit: HISTORY_PAGE }, { before_id: "1501", limit: HISTORY_PAGE }, { before_id: "501", limit: 200 }]);

    const all = new FakeRecords();
    all.insertUpTo(2500);
    const whole = follow(all, undefined);
    await settle();
    expect(whole.rowIds()).toEqual(ids(1, 2500));
    // The third page says there is no more: no fourth request.
    expect(all.calls.map((c) => c.before_id)).toEqual([undefined, "1501", "501"]);
  });

  it("joins a stream that starts after the history: snapshot rows at or below its cursor are not applied twice", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    api.insertUpTo(10);
    const { follower, rowIds } = follow(api, live);
    await settle();
    expect(rowIds()).toEqual(ids(1, 10));
    api.insertUpTo(12);
    live.snapshot(ids(8, 12).map(row));
    await settle();
    expect(rowIds()).toEqual(ids(1, 12));
    expect(follower.received).toBe(2);
    live.append([insert(13)]);
    await settle();
    expect(rowIds()).toEqual(ids(1, 13));
    expect(follower.cursor).toBe(13);
  });

  it("joins a stream another query already runs: the rows it holds past the cursor count, nothing is read between", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    api.insertUpTo(10);
    live.streams.set("Order", { rows: ids(8, 12).map(row) });
    const { rowIds, follower } = follow(api, live);
    await settle();
    expect(rowIds()).toEqual(ids(1, 12));
    expect(follower.received).toBe(2);
    expect(api.calls.filter((c) => c.before_id !== undefined)).toEqual([]);
  });

  it("fills the rows between its cursor and a late snapshot from /records: no gap", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    api.insertUpTo(10);
    const { rowIds, follower } = follow(api, live);
    await settle();
    // 20 rows while the stream was not there: 4 times what its snapshot (max_records 5) holds.
    api.insertUpTo(30);
    live.snapshot(ids(26, 30).map(row));
    await settle();
    expect(rowIds()).toEqual(ids(1, 30));
    expect(api.calls.at(-1)).toEqual({ before_id: "26", limit: HISTORY_PAGE });
    expect(follower.cursor).toBe(30);
  });

  it("applies changes that arrive before the history and while it fills once each, in order", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    api.insertUpTo(10);
    const releaseHistory = api.hold();
    const { rowIds, follower, changes } = follow(api, live);
    // Before the history is there: held, not applied (9 and 10 are in the history already).
    live.append([insert(9), insert(10), insert(11)]);
    await settle();
    expect(follower.loaded).toBe(false);
    expect(changes()).toBe(0);
    releaseHistory();
    await settle();
    expect(rowIds()).toEqual(ids(1, 11));
    expect(follower.received).toBe(1);

    // The stream starts over past a gap; while the gap is read, more changes arrive, some twice.
    api.insertUpTo(20);
    const releaseFill = api.hold();
    live.snapshot(ids(16, 20).map(row));
    await settle();
    live.append([insert(21), insert(21), insert(20)]);
    live.append([insert(22)]);
    await settle();
    expect(rowIds()).toEqual(ids(1, 11));
    releaseFill();
    await settle();
    expect(rowIds()).toEqual(ids(1, 22));
    expect(follower.received).toBe(ids(11, 22).length - ids(12, 15).length);
  });

  it("in events mode reads nothing between, and applies changes to the rows by key", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    live.mode = "events";
    api.insertUpTo(3);
    const { follower } = follow(api, live);
    await settle();
    // The table's current rows as of the history's own position: nothing to apply.
    live.snapshot(ids(1, 3).map((id) => ({ id: 3, data: data(id) })));
    await settle();
    expect(follower.rows.map((r) => r.data)).toEqual(ids(1, 3).map(data));
    live.append([
      { type: "update", id: 4, key: 2, data: { id: 2, order_key: "O-2 changed" } },
      { type: "delete", id: 5, key: 1, data: data(1) },
      { type: "insert", id: 6, key: 4, data: data(4) },
    ]);
    await settle();
    expect(follower.rows.map((r) => r.data)).toEqual([{ id: 2, order_key: "O-2 changed" }, data(3), data(4)]);
    expect(api.calls).toHaveLength(1);
  });

  it("in events mode applies every row of a snapshot newer than the history: the table's state as of its position", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    live.mode = "events";
    api.insertUpTo(3);
    const { follower } = follow(api, live);
    await settle();
    // The stream starts (over) at position 9: the table's rows then, each as of 9 — two changed, one new.
    live.snapshot([
      { id: 9, data: { id: 1, order_key: "O-1 changed" } },
      { id: 9, data: data(2) },
      { id: 9, data: { id: 3, order_key: "O-3 changed" } },
      { id: 9, data: data(4) },
    ]);
    await settle();
    expect(follower.rows.map((r) => r.data)).toEqual([{ id: 1, order_key: "O-1 changed" }, data(2), { id: 3, order_key: "O-3 changed" }, data(4)]);
    expect(follower.cursor).toBe(9);
    // The same snapshot again (a re-subscription at the same position) changes nothing.
    live.snapshot([{ id: 9, data: { id: 1, order_key: "stale" } }]);
    await settle();
    expect(follower.rows[0]!.data).toEqual({ id: 1, order_key: "O-1 changed" });
  });

  it("stops: the stream is left, and nothing more is read or applied", async () => {
    const api = new FakeRecords();
    const live = new FakeLive();
    api.insertUpTo(10);
    const { follower, rowIds } = follow(api, live);
    await settle();
    follower.stop();
    expect(live.listeners.size).toBe(0);
    live.append([insert(11)]);
    await settle();
    expect(rowIds()).toEqual(ids(1, 10));
  });

  it("reports a failed read", async () => {
    const api = new FakeRecords();
    api.records = () => Promise.reject(new Error("the backend answered 500"));
    const { errors, follower } = follow(api, new FakeLive());
    await settle();
    expect(errors).toEqual([new Error("the backend answered 500")]);
    expect(follower.loaded).toBe(false);
  });
});
