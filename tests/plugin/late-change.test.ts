/** A `late` change (a row the backend passed at its gap timeout, committed since) is applied below the stream position, once. */
import { describe, expect, it } from "@jest/globals";
import type { ChangeMessage } from "../../contract/index.ts";
import { EntityStream } from "../../src/client/entity-stream.ts";

const change = (id: number, late = false): ChangeMessage => ({ type: "insert", entity: "Order", event_type: "insert", data: { id }, timestamp: "", id, ...(late ? { late: true as const } : {}) });

describe("a late change", () => {
  it("is applied in key order below the position, which stays, and only once", () => {
    const s = new EntityStream("Order", "id", 10);
    s.applySnapshot([{ id: 1 }, { id: 2 }], 2);
    expect(s.applyChanges([change(4), change(5)])).toBe(2);
    expect(s.applyChanges([change(3, true)])).toBe(1);
    expect(s.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(s.lastId).toBe(5);
    expect(s.changes).toBe(3);
    // The same row again (late, or replayed at or below the position): nothing changes.
    expect(s.applyChanges([change(3, true), change(3)])).toBe(0);
    expect(s.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it("in a batch with live rows, moves the position only by the live ones", () => {
    const s = new EntityStream("Order", "id", 3);
    s.applySnapshot([{ id: 10 }], 10);
    expect(s.applyChanges([change(11), change(9, true), change(12)])).toBe(3);
    expect(s.lastId).toBe(12);
    // Kept to capacity, oldest (lowest) dropped first.
    expect(s.rows.map((r) => r.id)).toEqual([10, 11, 12]);
  });
});
