/** The gap-safe cursor as a state machine: writers readings stand in for the database's lock table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GapCursor } from "../../backend/poller/gap-cursor.ts";

const rows = (...ids: number[]) => ids.map((id) => ({ id, v: `row ${id}` }));
const writers = (...ids: string[]) => new Set(ids);
const cursor = (position = 0n) => new GapCursor(position, "id", { timeoutMs: 10_000 });

describe("gap-safe cursor", () => {
  it("delivers contiguous rows and moves the position", () => {
    const c = cursor();
    const step = c.advance(rows(1, 2, 3), 0);
    assert.deepEqual(step.keys, [1n, 2n, 3n]);
    assert.equal(c.position, 3n);
    assert.equal(step.blocked, false);
    assert.equal(c.hasGaps, false);
  });

  it("holds rows behind a gap while a transaction of the fence still writes, then delivers the late row first", () => {
    const c = cursor();
    let step = c.advance(rows(1, 3, 4), 0); // 2 is missing
    assert.deepEqual(step.keys, [1n]);
    assert.equal(step.blocked, true);
    assert.equal(c.hasGaps, true);
    c.observeWriters(writers("tx-a", "tx-b")); // fence of the gap
    step = c.advance(rows(3, 4), 500);
    assert.deepEqual(step.keys, [], "the fence's own reading proves nothing");
    c.observeWriters(writers("tx-b", "tx-c")); // tx-b is still open
    step = c.advance(rows(3, 4), 600);
    assert.deepEqual(step.keys, []);
    step = c.advance(rows(2, 3, 4), 700); // tx-b committed key 2
    assert.deepEqual(step.keys, [2n, 3n, 4n]);
    assert.deepEqual(step.skipped, []);
    assert.equal(c.hasGaps, false);
  });

  it("passes a gap once every transaction of its fence has ended (a rollback), judged by a reading taken before the poll", () => {
    const c = cursor();
    c.advance(rows(1, 3), 0);
    c.observeWriters(writers("tx-a"));
    c.observeWriters(writers("tx-z")); // tx-a ended before this reading…
    const step = c.advance(rows(3), 50); // …so this later snapshot would show key 2 had it committed
    assert.deepEqual(step.keys, [3n]);
    assert.deepEqual(step.skipped, [{ from: 2n, to: 2n, reason: "ended" }]);
  });

  it("passes at once a gap whose fence is empty: nobody could still commit the key", () => {
    const c = cursor();
    c.advance(rows(1, 3), 0);
    c.observeWriters(writers());
    assert.deepEqual(c.advance(rows(3), 1).keys, [3n]);
  });

  it("never passes a gap that has no fence yet, whatever the time", () => {
    const c = cursor();
    c.advance(rows(2), 0);
    assert.deepEqual(c.advance(rows(2), 5_000).keys, []);
  });

  it("never delivers a key twice, even if a poll returns rows at or below the position", () => {
    const c = cursor(5n);
    const step = c.advance(rows(4, 5, 6), 0);
    assert.deepEqual(step.keys, [6n]);
  });

  it("gives up on a gap only after the timeout when a transaction stays open", () => {
    const c = cursor();
    c.advance(rows(2), 0);
    c.observeWriters(writers("tx-long"));
    c.observeWriters(writers("tx-long"));
    assert.deepEqual(c.advance(rows(2), 9_999).keys, []);
    const step = c.advance(rows(2), 10_000);
    assert.deepEqual(step.keys, [2n]);
    assert.equal(step.skipped[0]!.reason, "timeout");
  });

  it("fences a later gap from its own first sighting, not from the earlier gap's", () => {
    const c = cursor();
    c.advance(rows(2, 4), 0); // gaps at 1 and 3, both seen now
    c.observeWriters(writers("tx-1"));
    c.observeWriters(writers());
    let step = c.advance(rows(2, 4, 6), 10); // both fences cleared; 5 is a new gap
    assert.deepEqual(step.keys, [2n, 4n]);
    assert.equal(step.skipped.length, 2);
    c.observeWriters(writers("tx-5"));
    step = c.advance(rows(6), 20);
    assert.deepEqual(step.keys, [], "the new gap waits for its own fence to clear");
    c.observeWriters(writers("tx-6"));
    step = c.advance(rows(6), 30);
    assert.deepEqual(step.keys, [6n]);
    assert.equal(c.oldestGap, null);
  });

  it("handles keys beyond 2^53 exactly", () => {
    const big = 9007199254740993n; // 2^53 + 1
    const c = cursor(big - 1n);
    const step = c.advance([{ id: big.toString() }], 0);
    assert.deepEqual(step.keys, [big]);
  });
});
