/**
 * Late changes in a session (no database, no network): a row the stream passed at the gap timeout and
 * that committed since reaches a live client at once, a client still syncing once it is live, and
 * never twice — a replay leaves a still-passed row out, and a row a replay carried is not sent late.
 */
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { Change } from "../../backend/stream/feed.ts";
import { shareChanges } from "../../backend/stream/frames.ts";
import { FakeHost, MemoryFeed, until, type FakeSocket } from "./stream-fakes.ts";

/** A feed one of whose keys the stream passed: its row is not committed (invisible) until `commit`. */
class PassingFeed extends MemoryFeed {
  readonly passed = new Set<bigint>();
  private readonly invisible = new Set<bigint>();

  pass(id: bigint): void {
    this.passed.add(id);
    this.invisible.add(id);
  }

  /** The row is not visible (again): a read whose snapshot came before its commit. */
  hide(id: bigint): void {
    this.invisible.add(id);
  }

  /** The row commits; the poller's look-up finds it and publishes it late. */
  commit(id: bigint): Change[] {
    this.invisible.delete(id);
    this.passed.delete(id);
    return [{ type: "insert", id, data: { id: Number(id), payload: "" }, late: true }];
  }

  isPassed(id: bigint): boolean {
    return this.passed.has(id);
  }

  override async changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]> {
    return (await super.changes(after, upTo, limit)).filter((c) => !this.invisible.has(c.id));
  }
}

function setup(t: TestContext, feed: PassingFeed) {
  const host = new FakeHost(feed);
  const { session, socket } = host.open();
  t.after(() => session.close(1000, "test done"));
  const subscribe = (msg: object) => session.handleText(JSON.stringify({ type: "subscribe", ...msg }));
  const late = (changes: Change[]) => {
    const { frames, batch } = shareChanges("Order", changes);
    session.deliverLate("Order", changes, frames, batch);
  };
  return { host, session, socket, subscribe, late };
}

const lateIds = (socket: FakeSocket) => socket.changes().filter((c) => c.late).map((c) => Number(c.id));

describe("late changes in a session", () => {
  it("reach a live client at once, marked late, and leave its position where it was", async (t) => {
    const feed = new PassingFeed("Order", 10);
    const { host, session, socket, subscribe, late } = setup(t, feed);
    subscribe({ snapshot: false });
    await until("subscribed", () => socket.ofType("subscribed").length === 1);
    feed.pass(11n);
    host.publish(session, "Order", feed.insert(2).filter((c) => c.id !== 11n)); // 12 passes 11
    late(feed.commit(11n));
    host.publish(session, "Order", feed.insert(1)); // 13
    assert.deepEqual(socket.ids(), [12, 11, 13]);
    assert.deepEqual(lateIds(socket), [11]);
  });

  it("a replay leaves out a row whose key is still passed; the client gets it late, once it is live", async (t) => {
    const feed = new PassingFeed("Order", 20);
    feed.pass(15n);
    const { socket, subscribe, late } = setup(t, feed);
    const release = feed.holdRead(0);
    subscribe({ cursor: { Order: 10 } });
    await until("the replay's read", () => feed.reads.length === 1);
    const committed = feed.commit(15n);
    feed.passed.add(15n); // committed, but the poller has not looked it up yet when the page arrives
    release();
    await until("subscribed", () => socket.ofType("subscribed").length === 1);
    assert.deepEqual(socket.ids(), [11, 12, 13, 14, 16, 17, 18, 19, 20], "the replay leaves 15 out");
    feed.passed.delete(15n);
    late(committed);
    assert.deepEqual(lateIds(socket), [15]);
    assert.equal(socket.ids().filter((id) => id === 15).length, 1);
  });

  it("a late change published while the client still replays is sent once it is live — unless the replay carried the row", async (t) => {
    const feed = new PassingFeed("Order", 20);
    feed.pass(15n);
    feed.pass(18n);
    const { socket, subscribe, late } = setup(t, feed);
    const release = feed.holdRead(0);
    subscribe({ cursor: { Order: 10 } });
    await until("the replay's read", () => feed.reads.length === 1);
    // Both are published while the read is out; 18 committed before the read's snapshot, 15 after it.
    late(feed.commit(18n));
    late(feed.commit(15n));
    feed.hide(15n);
    release();
    await until("subscribed", () => socket.ofType("subscribed").length === 1);
    const ids = socket.ids();
    assert.equal(ids.filter((id) => id === 18).length, 1, "18 once: in the replay");
    assert.equal(ids.filter((id) => id === 15).length, 1, "15 once: late, after the replay");
    assert.deepEqual(lateIds(socket), [15]);
    assert.ok(ids.indexOf(15) > ids.indexOf(20));
  });

  it("a lagging client keeps the late change, and gets it after its resync", async (t) => {
    const feed = new PassingFeed("Order", 10);
    const { host, session, socket, subscribe, late } = setup(t, feed);
    subscribe({ snapshot: false });
    await until("subscribed", () => socket.ofType("subscribed").length === 1);
    feed.pass(11n);
    host.publish(session, "Order", feed.insert(2).filter((c) => c.id !== 11n)); // 12 passes 11
    socket.stalled = true;
    socket.bufferedAmount = 2 << 20;
    host.publish(session, "Order", feed.insert(1)); // 13: the client lags from here
    late(feed.commit(11n));
    assert.equal(lateIds(socket).length, 0, "nothing more is written to a lagging client");
    socket.drain();
    await until("the late row after the resync", () => lateIds(socket).length === 1);
    assert.deepEqual(socket.ids(), [12, 13, 11]);
  });
});
