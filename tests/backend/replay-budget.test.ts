/**
 * The replay budget on its own and under a session: concurrent reads are capped, turns go round-robin
 * between client addresses, a read superseded while it waited gives its turn up, reads are paced by the
 * time they take and by what they write — and a flood of re-subscribes costs a read or two, not one per
 * subscribe; a flood of messages is told it is rate limited, not answered message for message. The
 * connection slots the WebSocket guard reserves are counted and given back.
 * No database: sessions run on stream-fakes.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionSlots } from "../../backend/stream/connection-slots.ts";
import { estimatedSize, ReplayBudget, type ReplayTurn } from "../../backend/stream/replay-budget.ts";
import { FakeHost, MemoryFeed, range, settle, until } from "./stream-fakes.ts";

const NOTHING = { rows: 0, bytes: 0 };
const ROOMY = { concurrentReads: 1, pageRows: 100, busyMsPerSecond: 10_000, bytesPerSecond: 1 << 30 };

/** Asks for a turn and records when (and whether) it is granted. */
function ask(budget: ReplayBudget, owner: string, log: string[], name: string, stale = () => false) {
  let turn: ReplayTurn | null | undefined;
  const at = Date.now();
  let grantedAfter = -1;
  void budget.turn(owner, stale).then((t) => {
    turn = t;
    grantedAfter = Date.now() - at;
    log.push(t ? name : `${name}:dropped`);
  });
  return { turn: () => turn, grantedAfter: () => grantedAfter };
}

describe("replay budget", () => {
  it("grants at most `concurrentReads` reads at once; a done read lets the next one in", async () => {
    const budget = new ReplayBudget({ ...ROOMY, concurrentReads: 2 });
    const log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map((n) => ask(budget, n, log, n));
    await settle(10);
    assert.deepEqual([log, budget.active, budget.queued], [["a", "b"], 2, 1]);
    a!.turn()!.done(NOTHING);
    await settle(10);
    assert.deepEqual(log, ["a", "b", "c"]);
    assert.equal(c!.turn()!.rows, 100, "each turn reads a page of `pageRows`");
    b!.turn()!.done(NOTHING);
    c!.turn()!.done(NOTHING);
    assert.equal(budget.active, 0);
  });

  it("takes turns round-robin between addresses, first come first served within one", async () => {
    const budget = new ReplayBudget(ROOMY);
    const log: string[] = [];
    const asked = new Map(
      (
        [
          ["a1", "10.0.0.1"],
          ["a2", "10.0.0.1"],
          ["a3", "10.0.0.1"],
          ["b1", "10.0.0.2"],
          ["c1", "10.0.0.3"],
        ] as const
      ).map(([name, owner]) => [name, ask(budget, owner, log, name)]),
    );
    // One read at a time: each is done once granted, and the next is granted.
    for (let done = 0; done < asked.size; done++) {
      await until("a turn", () => log.length > done);
      asked.get(log[done] as "a1")!.turn()!.done(NOTHING);
    }
    assert.deepEqual(log, ["a1", "a2", "b1", "c1", "a3"]);
  });

  it("drops a read superseded while it waited, without a turn and without reading", async () => {
    const budget = new ReplayBudget(ROOMY);
    const log: string[] = [];
    const holder = ask(budget, "x", log, "holder");
    let superseded = false;
    ask(budget, "y", log, "old", () => superseded);
    const latest = ask(budget, "y", log, "latest");
    superseded = true;
    ask(budget, "y", log, "newer"); // joining, it clears the superseded one from the queue at once
    await settle(10);
    assert.deepEqual(log, ["holder", "old:dropped"]);
    holder.turn()!.done(NOTHING);
    await until("the latest turn", () => latest.turn() !== undefined);
    assert.deepEqual(log, ["holder", "old:dropped", "latest"]);
  });

  it("paces reads that return rows by the time they take: past its share, the next waits until it refills", async () => {
    const budget = new ReplayBudget({ ...ROOMY, concurrentReads: 2, busyMsPerSecond: 200 }); // holds 50 ms at most
    const log: string[] = [];
    const empty = ask(budget, "a", log, "empty");
    await until("the turn", () => empty.turn() !== undefined);
    await settle(100);
    empty.turn()!.done(NOTHING); // a read of nothing is not charged its time
    const slow = ask(budget, "a", log, "slow");
    await until("the turn", () => slow.turn() !== undefined);
    assert.ok(slow.grantedAfter() < 50, `granted after ${slow.grantedAfter()} ms`);
    await settle(100); // 100 ms for a page of rows: 50 ms past the share
    slow.turn()!.done({ rows: 250, bytes: 1000 });
    const next = ask(budget, "b", log, "next");
    await until("the next turn", () => next.turn() !== undefined, 3000);
    assert.ok(next.grantedAfter() >= 200, `granted after ${next.grantedAfter()} ms; the share takes ~250 ms to refill`);
    next.turn()!.done(NOTHING);
  });

  it("paces reads by what they write", async () => {
    const budget = new ReplayBudget({ ...ROOMY, bytesPerSecond: 4000 }); // holds 1,000 bytes (a quarter second's worth) at most
    const log: string[] = [];
    const big = ask(budget, "a", log, "big");
    await until("the turn", () => big.turn() !== undefined);
    big.turn()!.done({ rows: 10, bytes: 3000 });
    const next = ask(budget, "a", log, "next");
    await until("the next turn", () => next.turn() !== undefined, 3000);
    assert.ok(next.grantedAfter() >= 400, `granted after ${next.grantedAfter()} ms; 2,000 bytes over takes ~500 ms to refill`);
    next.turn()!.done(NOTHING);
  });

  it("estimates a page by its first row, 64-bit ids and all", () => {
    const row = { type: "insert", id: 12345678901234567890n, data: { id: "12345678901234567890", name: "x" } };
    assert.equal(estimatedSize([]), 0);
    assert.equal(estimatedSize([row, row, row]), 3 * (JSON.stringify({ ...row, id: String(row.id) }).length + 120));
  });
});

describe("a flood of re-subscribes under the budget", () => {
  class OneAtATime extends FakeHost {
    override readonly replays = new ReplayBudget({ concurrentReads: 1, pageRows: 1000, busyMsPerSecond: 10_000, bytesPerSecond: 1 << 30 });
  }

  it("reads for the latest subscribe only: the superseded ones give up their turns", async (t) => {
    const feed = new MemoryFeed("Order", 3000);
    const host = new OneAtATime(feed);
    host.limits.messagesBurst = 100;
    const { session, socket } = host.open();
    t.after(() => session.close(1000, "test done"));
    const release = feed.holdRead(0);
    session.handleText(JSON.stringify({ type: "subscribe", cursor: { Order: 0 } }));
    await until("the first read", () => feed.reads.length === 1);
    for (let i = 1; i < 100; i++) session.handleText(JSON.stringify({ type: "subscribe", cursor: { Order: i } }));
    await settle(20);
    assert.equal(feed.reads.length, 1, "the others wait for the one turn");
    release();
    await until("subscribed", () => socket.ofType("subscribed").length === 1);
    assert.deepEqual(
      feed.reads.map((r) => r.after),
      [0n, 99n, 1099n, 2099n],
      "the first read (already running), then the latest subscribe's pages",
    );
    assert.deepEqual(socket.ids(), range(100, 3000));
  });
});

describe("a flood of messages", () => {
  it("is told it is rate limited ten times, then the rest are dropped without an answer", () => {
    const host = new FakeHost(new MemoryFeed("Order"));
    const { session, socket } = host.open();
    for (let i = 0; i < 200; i++) session.handleText(`{"type":"ping"}`);
    session.close(1000, "test done");
    assert.equal(socket.ofType("pong").length, host.limits.messagesBurst);
    assert.equal(socket.ofType("error").length, 10);
    assert.ok(socket.ofType("error").every((e) => e.code === "rate_limited"));
  });
});

describe("connection slots", () => {
  it("counts reserved slots against the limits, per address and in all, until released", () => {
    const slots = new ConnectionSlots({ maxConnections: 3, maxConnectionsPerAddress: 2 });
    const a1 = slots.reserve("a");
    const a2 = slots.reserve("a");
    assert.equal(slots.reserve("a"), "your address holds its maximum of 2 connections");
    const b1 = slots.reserve("b");
    assert.equal(slots.reserve("c"), "the server holds its maximum of 3 connections");
    assert.equal(slots.count, 3);
    for (const s of [a1, a2, b1]) assert.ok(typeof s !== "string");
    if (typeof a1 !== "string") {
      a1.release();
      a1.release(); // twice counts once
    }
    assert.equal(slots.count, 2);
    assert.ok(typeof slots.reserve("c") !== "string");
  });

  it("gives back a reserved slot no session claims, and keeps a claimed one", async () => {
    const slots = new ConnectionSlots({ maxConnections: 10, maxConnectionsPerAddress: 10 }, 30);
    const unclaimed = slots.reserve("a");
    const claimed = slots.reserve("a");
    assert.ok(typeof unclaimed !== "string" && typeof claimed !== "string");
    claimed.claim();
    await settle(80);
    assert.equal(slots.count, 1);
    claimed.release();
    assert.equal(slots.count, 0);
  });
});
