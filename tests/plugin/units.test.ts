/** The small pure parts: value conversion into typed fields, exact ids, backoff with jitter, CSV. */
import { describe, expect, it } from "@jest/globals";
import { FieldType } from "@grafana/data";
import { backoffDelay } from "../../src/client/backoff.ts";
import type { Row } from "../../contract/index.ts";
import { EntityStream } from "../../src/client/entity-stream.ts";
import { idAfter } from "../../contract/index.ts";
import { convertColumn, decimalScale } from "../../src/datasource/frames.ts";
import { toCsv } from "../../src/panel/csv.ts";

describe("typed fields", () => {
  it("turns decimal and 64-bit strings into numbers, but keeps a key past 2^53 exact as a string", () => {
    expect(convertColumn({ name: "total", type: "decimal", display: true }, false, ["68895.30", null, 3])).toEqual({ type: FieldType.number, values: [68895.3, null, 3] });
    expect(convertColumn({ name: "id", type: "integer", display: true }, true, [1, "9007199254740993"])).toEqual({ type: FieldType.string, values: ["1", "9007199254740993"] });
    expect(convertColumn({ name: "id", type: "integer", display: true }, true, [1, "42"])).toEqual({ type: FieldType.number, values: [1, 42] });
    expect(convertColumn({ name: "d", type: "date", display: true }, false, ["2024-10-29"]).values).toEqual([Date.UTC(2024, 9, 29)]);
    expect(convertColumn({ name: "at", type: "datetime", display: true }, false, ["2026-11-24T12:00:00.000Z"])).toEqual({ type: FieldType.time, values: [Date.UTC(2026, 10, 24, 12)] });
    expect(convertColumn({ name: "ok", type: "boolean", display: true }, false, [true, null])).toEqual({ type: FieldType.boolean, values: [true, null] });
    expect(convertColumn({ name: "j", type: "json", display: true }, false, [{ a: 1 }])).toEqual({ type: FieldType.other, values: [{ a: 1 }] });
  });

  it("keeps a decimal column's scale, so 57950.40 is not shown as 57950.4", () => {
    expect(decimalScale(["57950.40", null, "12.5"])).toBe(2);
    expect(decimalScale(["7", "8"])).toBe(0);
    expect(decimalScale([null, 3])).toBeUndefined();
  });

  it("compares ids exactly past 2^53", () => {
    expect(idAfter("9007199254740993", "9007199254740992")).toBe(true);
    expect(idAfter("9007199254740992", "9007199254740993")).toBe(false);
    expect(idAfter(5, null)).toBe(true);
    expect(idAfter(5, 5)).toBe(false);
  });
});

describe("entity stream", () => {
  it("drops rows at or below its position and keeps at most its capacity", () => {
    const s = new EntityStream("Order", "id", 3);
    s.applySnapshot([{ id: 1 }, { id: 2 }], 2);
    const change = (id: number) => ({ type: "insert" as const, entity: "Order", event_type: "insert" as const, data: { id }, timestamp: "", id });
    expect(s.applyChanges([change(2), change(3), change(3), change(4)])).toBe(2);
    expect(s.rows.map((r) => r.id)).toEqual([2, 3, 4]);
    expect(s.lastId).toBe(4);
  });
});

describe("entity stream in events mode", () => {
  const change = (type: "insert" | "update" | "delete", id: number, key: number, data: Row) => ({ type, entity: "Order", event_type: type, data, timestamp: "", id, key });

  it("holds the table's current rows: an update replaces its row in place, a delete removes it, an insert appends", () => {
    const s = new EntityStream("Order", "id", 10);
    // The snapshot: the table's rows as of changelog position 100.
    s.applySnapshot([{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }], 100, "events");
    expect(s.rows.map((r) => r.id)).toEqual([100, 100, 100]);
    expect(s.lastId).toBe(100);
    expect(s.applyChanges([change("update", 101, 2, { id: 2, v: "B" }), change("delete", 102, 1, { id: 1, v: "a" }), change("insert", 103, 4, { id: 4, v: "d" })])).toBe(3);
    expect(s.rows.map((r) => r.data)).toEqual([{ id: 2, v: "B" }, { id: 3, v: "c" }, { id: 4, v: "d" }]);
    expect(s.lastId).toBe(103);
    expect(s.changes).toBe(3);
    // Replayed after a reconnect: at or below the position, so nothing changes twice.
    expect(s.applyChanges([change("delete", 102, 1, { id: 1 }), change("update", 103, 4, { id: 4, v: "x" })])).toBe(0);
    expect(s.rows.map((r) => r.data.v)).toEqual(["B", "c", "d"]);
  });

  it("keeps an update of a row it did not hold, as the row's current state", () => {
    const s = new EntityStream("Order", "id", 2);
    s.applySnapshot([], 5, "events");
    s.applyChanges([change("update", 6, 9, { id: 9, v: "late" }), change("delete", 7, 8, { id: 8 })]);
    expect(s.rows.map((r) => r.data)).toEqual([{ id: 9, v: "late" }]);
  });
});

describe("reconnect backoff", () => {
  it("doubles up to the ceiling, with the second half of each step random", () => {
    const opts = { minMs: 500, maxMs: 30_000 };
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(250);
    expect(backoffDelay(0, { ...opts, random: () => 1 })).toBe(500);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(2000);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBe(4000);
    expect(backoffDelay(20, { ...opts, random: () => 1 })).toBe(30_000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(2, opts)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe("CSV", () => {
  it("quotes what needs quoting", () => {
    expect(toCsv(["a", "b"], [{ a: "x", b: 'say "hi", then go' }, { a: "line\nbreak", b: "" }])).toBe('a,b\r\nx,"say ""hi"", then go"\r\n"line\nbreak",\r\n');
  });
});
