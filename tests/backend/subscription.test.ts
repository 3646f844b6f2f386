/**
 * A subscription's life without a database: syncing (snapshot, cursor replay, or live start), live,
 * lagging and resync, superseded replays, and an outage while syncing. Whatever happens, the client
 * receives each row once and in key order. The feed and the socket are in memory (stream-fakes.ts).
 */
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { CloseCode } from "../../contract/index.ts";
import { FakeHost, MemoryFeed, range, settle, until, type FakeSocket } from "./stream-fakes.ts";

function setup(t: TestContext, feed: MemoryFeed, batch = false) {
  const host = new FakeHost(feed);
  const { session, socket } = host.open(batch);
  t.after(() => session.close(1000, "test done"));
  const subscribe = (msg: object) => session.handleText(JSON.stringify({ type: "subscribe", ...msg }));
  const subscribed = (n = 1) => until(`${n} subscribed`, () => socket.ofType("subscribed").length >= n);
  return { host, session, socket, subscribe, subscribed };
}

function types(socket: FakeSocket): string[] {
  return socket.messages.map((m) => m.type);
}

describe("subscription", () => {
  it("sends a snapshot of the latest rows, then the rows published after it", async (t) => {
    const feed = new MemoryFeed("Order", 10, 3);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    subscribe({});
    await subscribed();
    const [snapshot] = socket.ofType("snapshot");
    assert.deepEqual(snapshot!.data.map((r) => r.id), [8, 9, 10]);
    assert.equal(snapshot!.last_id, 10);
    assert.deepEqual(socket.ofType("subscribed")[0]!.cursors, { Order: 10 });
    host.publish(session, "Order", feed.insert(2));
    assert.deepEqual(types(socket), ["snapshot", "subscribed", "insert", "insert"]);
    assert.deepEqual(socket.ids(), [11, 12]);
  });

  it("replays from a cursor in pages, then goes live with every row once and in order", async (t) => {
    const feed = new MemoryFeed("Order", 2500);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    const release = feed.holdRead(1);
    subscribe({ cursor: { Order: 100 } });
    await until("the second page to be read", () => feed.reads.length === 2);
    // Rows committed during the replay: their live frames are not for a syncing client; the replay reads them.
    host.publish(session, "Order", feed.insert(30));
    release();
    await subscribed();
    assert.deepEqual(
      feed.reads.map((r) => [r.after, r.upTo]),
      [
        [100n, 2500n],
        [1100n, 2500n],
        [2100n, 2530n],
      ],
    );
    assert.equal(socket.ofType("snapshot").length, 0);
    assert.deepEqual(socket.ofType("subscribed")[0]!.cursors, { Order: 2530 });
    host.publish(session, "Order", feed.insert(5));
    assert.deepEqual(socket.ids(), range(101, 2535));
  });

  it("with snapshot: false starts live at the feed's position, reading nothing from the database", async (t) => {
    const feed = new MemoryFeed("Order", 50);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    subscribe({ snapshot: false });
    await subscribed();
    assert.deepEqual(socket.ofType("subscribed")[0]!.cursors, { Order: 50 });
    host.publish(session, "Order", feed.insert(3));
    assert.deepEqual(types(socket), ["subscribed", "insert", "insert", "insert"]);
    assert.deepEqual(socket.ids(), [51, 52, 53]);
    assert.deepEqual([feed.reads, feed.snapshots], [[], []]);
  });

  it("keeps a live entity as it is when it is subscribed again without a cursor", async (t) => {
    const feed = new MemoryFeed("Order", 5);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    subscribe({});
    await subscribed();
    subscribe({ entities: ["Order"] });
    await subscribed(2);
    host.publish(session, "Order", feed.insert(1));
    assert.deepEqual(types(socket), ["snapshot", "subscribed", "subscribed", "insert"]);
  });

  it("lags a client past its buffer limit from the exact row, tells it, and replays it from there", async (t) => {
    const feed = new MemoryFeed("Order");
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    host.clientBufferBytes = 100_000;
    subscribe({ snapshot: false });
    await subscribed();
    socket.stalled = true;
    // 20 frames of ~10 KB: they leave in corked runs of 64 KiB, with the buffer checked between runs.
    host.publish(session, "Order", feed.insert(20, "x".repeat(10_000)));
    const sent = socket.ids();
    const runs = socket.runs;
    assert.ok(runs.length >= 2 && runs.every((n) => n === runs[0] && n > 1), `runs of equal size: ${runs.join(", ")}`);
    assert.deepEqual(sent, range(1, runs.length * runs[0]!), "rows up to the run that passed the limit, no further");
    assert.ok(sent.length < 20);
    const last = sent.length;
    assert.equal(await host.dropped("lagging"), 20 - last);

    host.publish(session, "Order", feed.insert(5)); // dropped: the client is lagging
    assert.equal(await host.dropped("lagging"), 25 - last);
    assert.equal(socket.ids().length, last);
    await settle(); // still stalled: it stays lagging, not told yet
    assert.equal(socket.ofType("lagging").length, 0);

    socket.drain();
    await until("the resync", () => socket.ids().length === 25);
    const [lagging] = socket.ofType("lagging");
    assert.deepEqual(lagging!.resync_from, { Order: last });
    assert.equal(types(socket).indexOf("lagging"), last + 1, "told after its last row and before the replay");
    assert.deepEqual(feed.reads.map((r) => [r.after, r.upTo]), [[BigInt(last), 25n]]);
    assert.equal(await host.resyncs(), 1);
    host.publish(session, "Order", feed.insert(2));
    assert.deepEqual(socket.ids(), range(1, 27));
  });

  it("closes a lagging client whose buffer passes four times its limit", async (t) => {
    const feed = new MemoryFeed("Order");
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    host.clientBufferBytes = 20_000;
    subscribe({ snapshot: false });
    await subscribed();
    socket.stalled = true;
    host.publish(session, "Order", feed.insert(10, "x".repeat(10_000)));
    assert.ok(socket.ids().length < 10, "it lags");
    socket.bufferedAmount = 80_001;
    await until("the close", () => socket.closed !== null);
    assert.deepEqual(socket.closed, { code: CloseCode.TooSlow, reason: "client too slow to keep up; reconnect with your cursor" });
    assert.equal(await host.dropped("closed"), 1);
    assert.deepEqual(host.removed, [session]);
  });

  it("closes a client that does not drain during a replay", async (t) => {
    const feed = new MemoryFeed("Order", 10);
    const { host, socket, subscribe } = setup(t, feed);
    host.limits.lagTimeoutMs = 100;
    host.clientBufferBytes = 1000;
    socket.bufferedAmount = 10_000;
    subscribe({ cursor: { Order: 0 } });
    await until("the close", () => socket.closed !== null);
    assert.equal(socket.closed!.code, CloseCode.TooSlow);
    assert.deepEqual([socket.ids(), feed.reads], [[], []]);
  });

  it("stops a replay superseded by a new subscribe: nothing of it is sent", async (t) => {
    const feed = new MemoryFeed("Order", 3000);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    const release = feed.holdRead(0);
    subscribe({ cursor: { Order: 0 } });
    await until("the first page to be read", () => feed.reads.length === 1);
    subscribe({ cursor: { Order: 2900 } });
    await subscribed();
    release();
    await settle();
    assert.deepEqual(socket.ids(), range(2901, 3000));
    assert.equal(socket.ofType("subscribed").length, 1, "only the latest subscribe is answered");
    assert.deepEqual(socket.ofType("subscribed")[0]!.cursors, { Order: 3000 });
    host.publish(session, "Order", feed.insert(2));
    assert.deepEqual(socket.ids(), range(2901, 3002));
  });

  it("stops a replay of an entity that is unsubscribed", async (t) => {
    const feed = new MemoryFeed("Order", 100);
    const { host, session, socket, subscribe } = setup(t, feed);
    const release = feed.holdRead(0);
    subscribe({ cursor: { Order: 0 } });
    await until("the first page to be read", () => feed.reads.length === 1);
    session.handleText(JSON.stringify({ type: "unsubscribe", entities: ["Order"] }));
    release();
    await settle();
    host.publish(session, "Order", feed.insert(1));
    assert.deepEqual(types(socket), ["subscribed"]);
    assert.deepEqual(socket.ofType("subscribed")[0]!.cursors, { Order: null });
  });

  it("tells the client once that the database is unavailable, and retries the sync until it answers", async (t) => {
    const feed = new MemoryFeed("Order", 10, 3);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    feed.failure = new Error("connection refused");
    subscribe({});
    await until("two failed attempts", () => feed.failures >= 2);
    feed.failure = null;
    await subscribed();
    const errors = socket.ofType("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, "database_unavailable");
    assert.deepEqual(errors[0]!.entities, ["Order"]);
    assert.match(errors[0]!.message, /^could not read Order from the database \(connection refused\); retrying until it answers$/);
    assert.deepEqual(types(socket), ["error", "snapshot", "subscribed"]);
    host.publish(session, "Order", feed.insert(1));
    assert.deepEqual(socket.ids(), [11]);
  });

  // Known bug, kept as it is (the split changed no behaviour): `progressed` records the start point once,
  // before the pages, so a retry replays again from there and the client gets the pages before the outage twice.
  it("resumes a replay cut off by an outage from the last row it sent", async (t) => {
    const feed = new MemoryFeed("Order", 2500);
    const { socket, subscribe, subscribed } = setup(t, feed);
    feed.failRead(1);
    subscribe({ cursor: { Order: 100 } });
    await subscribed();
    assert.deepEqual(
      feed.reads.map((r) => r.after),
      [100n, 1100n, 1100n, 2100n],
    );
    assert.equal(socket.ofType("error").length, 1);
    assert.deepEqual(socket.ids(), range(101, 2500));
  });

  it("sends batch frames, live and replayed, to a client that asked for them", async (t) => {
    const feed = new MemoryFeed("Order", 10);
    const { host, session, socket, subscribe, subscribed } = setup(t, feed);
    subscribe({ batch: true, cursor: { Order: 5 } });
    await subscribed();
    host.publish(session, "Order", feed.insert(3));
    assert.deepEqual(types(socket), ["batch", "subscribed", "batch"]);
    assert.deepEqual(socket.ids(), range(6, 13));
  });

  it("refuses unknown entities, naming them and the known ones", async (t) => {
    const feed = new MemoryFeed("Order", 1);
    const { session, socket, subscribe } = setup(t, feed);
    subscribe({ entities: ["Order", "Nope"], cursor: { Zip: 1 } });
    session.handleText(JSON.stringify({ type: "unsubscribe", entities: ["Nope"] }));
    await settle();
    assert.deepEqual(
      socket.ofType("error").map((e) => [e.code, e.message, e.entities]),
      [
        ["unknown_entity", "unknown entity: Nope, Zip; known: Order", ["Nope", "Zip"]],
        ["unknown_entity", "unknown entity: Nope", ["Nope"]],
      ],
    );
    assert.deepEqual(feed.reads, []);
  });
});
