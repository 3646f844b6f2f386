import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GapCursor } from "../../backend/poller/gap-cursor.ts";

// Horizons as PostgreSQL gives them: `xmin` = oldest transaction still open, `xmax` = next transaction id.
type H = { xmin: bigint; xmax: bigint };
const policy = { horizonPassed: (f: unknown, n: unknown) => (n as H).xmin >= (f as H).xmax, graceMs: 100, timeoutMs: 10_000 };
const rows = (...ids: number[]) => ids.map((id) => ({ id, v: `row ${id}` }));
const h = (xmin: number, xmax: number): H => ({ xmin: BigInt(xmin), xmax: BigInt(xmax) });

describe("gap-safe cursor", () => {
  it("delivers contiguous rows and moves the position", () => {
    const c = new GapCursor(0n, "id", policy);
    const step = c.advance(rows(1, 2, 3), h(10, 10), 0);
    assert.deepEqual(step.keys, [1n, 2n, 3n]);
    assert.equal(c.position, 3n);
    assert.equal(step.blocked, false);
  });

  it("holds rows behind a gap while the transaction that may fill it is open, then delivers the late row first", () => {
    const c = new GapCursor(0n, "id", policy);
    let step = c.advance(rows(1, 3, 4), h(10, 12), 0); // id 2 invisible: transaction 10 or 11 still open
    assert.deepEqual(step.keys, [1n]);
    assert.equal(step.blocked, true);
    step = c.advance(rows(3, 4), h(11, 12), 500); // still open (xmin 11 < fence xmax 12)
    assert.deepEqual(step.keys, []);
    step = c.advance(rows(2, 3, 4), h(12, 13), 600); // it committed: 2 is there
    assert.deepEqual(step.keys, [2n, 3n, 4n]);
    assert.deepEqual(step.skipped, []);
  });

  it("passes a gap once every transaction open when it was seen has ended (a rollback), after the grace", () => {
    const c = new GapCursor(0n, "id", policy);
    c.advance(rows(1, 3), h(10, 12), 0);
    let step = c.advance(rows(3), h(12, 12), 50); // horizon passed but within the grace
    assert.deepEqual(step.keys, []);
    step = c.advance(rows(3), h(12, 12), 150);
    assert.deepEqual(step.keys, [3n]);
    assert.deepEqual(step.skipped, [{ from: 2n, to: 2n, reason: "ended" }]);
  });

  it("never delivers a key twice, even if a poll returns rows at or below the position", () => {
    const c = new GapCursor(5n, "id", policy);
    const step = c.advance(rows(4, 5, 6), h(1, 1), 0);
    assert.deepEqual(step.keys, [6n]);
  });

  it("gives up on a gap only after the timeout when a transaction stays open", () => {
    const c = new GapCursor(0n, "id", policy);
    c.advance(rows(2), h(5, 6), 0);
    assert.deepEqual(c.advance(rows(2), h(5, 9), 9_999).keys, []);
    const step = c.advance(rows(2), h(5, 9), 10_000);
    assert.deepEqual(step.keys, [2n]);
    assert.equal(step.skipped[0]!.reason, "timeout");
  });

  it("fences later gaps in the same batch from the moment they are first seen", () => {
    const c = new GapCursor(0n, "id", policy);
    c.advance(rows(2, 4), h(10, 11), 0); // gaps at 1 and 3, both fenced at xmax 11
    const step = c.advance(rows(2, 4), h(11, 11), 200);
    assert.deepEqual(step.keys, [2n, 4n]);
    assert.equal(step.skipped.length, 2);
    assert.equal(c.oldestGap, null);
  });

  it("handles keys beyond 2^53 exactly", () => {
    const big = 9007199254740993n; // 2^53 + 1
    const c = new GapCursor(big - 1n, "id", policy);
    const step = c.advance([{ id: big.toString() }], h(1, 1), 0);
    assert.deepEqual(step.keys, [big]);
  });
});
