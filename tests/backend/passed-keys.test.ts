/** The keys a poller passed at the gap timeout: looked up until their row commits or their transaction has certainly ended. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOOKUP_KEYS, MAX_PASSED_KEYS, PassedKeys } from "../../backend/poller/passed-keys.ts";

const HOUR = 3_600_000;

describe("passed keys", () => {
  it("forgets a key once its row is found", () => {
    const p = new PassedKeys(HOUR);
    p.add(5n, 7n, 0);
    assert.deepEqual(p.lookup(), [5n, 6n, 7n]);
    assert.deepEqual(p.settle([5n, 6n, 7n], [6n], 1), { ended: [], expired: [] });
    assert.deepEqual(p.lookup(), [5n, 7n]);
    assert.equal(p.has(6n), false);
  });

  it("gives a key up only when a look-up after a reading disjoint from its fence did not find it", () => {
    const p = new PassedKeys(HOUR);
    p.add(5n, 5n, 0);
    assert.deepEqual(p.settle([5n], [], 1).ended, [], "no fence yet: kept");
    p.observeWriters(new Set(["tx1"])); // the fence: its transaction is open
    assert.deepEqual(p.settle([5n], [], 2).ended, [], "still writing: kept");
    p.observeWriters(new Set(["tx1", "tx2"]));
    assert.deepEqual(p.settle([5n], [], 3).ended, []);
    p.observeWriters(new Set(["tx2"])); // tx1 ended
    assert.deepEqual(p.settle([5n], [], 4).ended, [5n], "ended without a row: let go");
    assert.equal(p.size, 0);
  });

  it("lets a key go at once when nobody could still write it, and at the horizon when its transaction never ends", () => {
    const p = new PassedKeys(1000);
    p.add(1n, 1n, 0);
    p.observeWriters(new Set());
    assert.deepEqual(p.settle([1n], [], 1).ended, [1n]);
    p.add(2n, 2n, 0);
    p.observeWriters(new Set(["forever"]));
    assert.deepEqual(p.settle([2n], [], 999).expired, []);
    assert.deepEqual(p.settle([2n], [], 1000).expired, [2n]);
  });

  it("is bounded, and looks keys up in turns when many wait", () => {
    const p = new PassedKeys(HOUR);
    assert.equal(p.add(1n, BigInt(MAX_PASSED_KEYS + 5), 0), 5);
    assert.equal(p.size, MAX_PASSED_KEYS);
    const first = p.lookup();
    const second = p.lookup();
    assert.equal(first.length, LOOKUP_KEYS);
    assert.equal(first[0], 1n);
    assert.equal(second[0], BigInt(LOOKUP_KEYS + 1));
  });
});
