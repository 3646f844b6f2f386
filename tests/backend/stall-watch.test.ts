/** A poller's watchdog: a database step unanswered for a while is a stall, reported before its deadline and until a step is answered. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueryTimeoutError, withDeadline } from "../../backend/db/deadline.ts";
import { StallWatch } from "../../backend/poller/stall-watch.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("stall watch", () => {
  it("reports a step unanswered past its threshold, once, and says when its connection was replaced", async () => {
    const stalls: string[] = [];
    const w = new StallWatch("Order", 50, (r) => stalls.push(r));
    const hung = w.watch("poll", withDeadline(new Promise<never>(() => {}), 120, () => {}));
    await sleep(80);
    assert.equal(stalls.length, 1);
    assert.match(stalls[0]!, /^poll of Order has not answered for \d+ s$/);
    await assert.rejects(hung, QueryTimeoutError);
    assert.match(w.reason()!, /^poll of Order has not answered for \d+ s; connection replaced$/);
    // The retry that follows is part of the same stall, until a step is answered.
    await w.watch("poll", Promise.resolve([]));
    assert.notEqual(w.reason(), null);
    w.answered();
    assert.equal(w.reason(), null);
  });

  it("reports a stall with its reason even when another step started since (a stall is never reported as none)", async () => {
    const stalls: Array<string | null> = [];
    const w = new StallWatch("Order", 50, (r) => stalls.push(r));
    void w.watch("poll", new Promise<never>(() => {}));
    await sleep(30);
    void w.watch("passed keys look-up", new Promise<never>(() => {}));
    await sleep(35); // the poll's threshold passed; the look-up's not yet
    assert.equal(stalls.length, 1);
    assert.match(String(stalls[0]), /^poll of Order has not answered for \d+ s$/);
  });

  it("says how long in whole seconds that have passed, never more", () => {
    const w = new StallWatch("Order", 50, () => {});
    const started = Date.now();
    void w.watch("poll", new Promise<never>(() => {}));
    assert.equal(w.reason(started + 1600), "poll of Order has not answered for 1 s");
    assert.equal(w.reason(started + 2000 + 999), "poll of Order has not answered for 2 s");
  });

  it("says nothing of a step answered in time, nor of a failure that came at once", async () => {
    const stalls: string[] = [];
    const w = new StallWatch("Order", 50, (r) => stalls.push(r));
    await w.watch("poll", sleep(10));
    await assert.rejects(w.watch("poll", Promise.reject(new Error("ECONNREFUSED"))));
    await sleep(60);
    assert.deepEqual(stalls, []);
    assert.equal(w.reason(), null);
  });
});

describe("a query deadline", () => {
  it("abandons the query, replaces its connection, and rejects", async () => {
    let replaced = 0;
    const started = Date.now();
    await assert.rejects(
      withDeadline(new Promise<never>(() => {}), 50, () => replaced++),
      (e: Error) => e instanceof QueryTimeoutError && /connection replaced/.test(e.message),
    );
    assert.equal(replaced, 1);
    assert.ok(Date.now() - started < 1000);
    assert.equal(await withDeadline(Promise.resolve(7), 50, () => replaced++), 7);
    await sleep(60);
    assert.equal(replaced, 1, "an answered query's timer is cleared");
  });
});
