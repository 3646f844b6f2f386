/**
 * One poll loop in a cluster (cluster/elected-poller.ts, follow.ts), on fakes: a follower moves with the
 * poller's messages and reads a hole from the database; it starts from the first message it hears; a
 * silent poller makes it contend for the lock and, losing, read the database alone until the poller is
 * heard again; winning, it polls from its own position and publishes each poll with the positions
 * around it, and beats while quiet; a lost lock stops its polling at once; a resignation makes it
 * contend at once. And the bus messages: split into contiguous parts when large.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Row } from "../../contract/index.ts";
import { decodeMessage, encodeMessage, encodeRows, pollSubject, type BusMessage } from "../../backend/cluster/bus-message.ts";
import { ElectedPoller, SILENCE_MS, type ElectionHost } from "../../backend/cluster/elected-poller.ts";
import type { Dialect } from "../../backend/db/dialect.ts";
import { createLogger } from "../../backend/log.ts";
import { Metrics } from "../../backend/metrics.ts";
import type { Poller, PollerOptions } from "../../backend/poller/poller.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const row = (id: number): Row => ({ id: String(id), v: `r${id}` });

async function until(what: string, f: () => boolean, ms = 5000): Promise<void> {
  const started = Date.now();
  while (!f()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The local poller the host makes: its rows are the test's to hand out. */
class FakePoller {
  started = false;
  stopped = false;
  belled = false;
  lastPollAt: number | null = null;
  lastError: string | null = null;
  polls = 0;
  waitingOnGap = null;
  stall = { reason: () => null };
  position: bigint | null;
  readonly ready: Promise<void>;
  private resolve!: () => void;
  constructor(
    readonly options: PollerOptions,
    readonly startAt: bigint | null,
  ) {
    this.position = startAt;
    this.ready = new Promise((r) => (this.resolve = r));
    if (startAt !== null) this.resolve();
  }
  start() {
    this.started = true;
  }
  stop() {
    this.stopped = true;
  }
  wake() {}
  isPassed() {
    return false;
  }
  /** The start settled at the database's head. */
  settle(at: bigint) {
    this.position = at;
    this.resolve();
  }
  /** One poll's rows: the cursor moves, then onRows, as the real Poller does. */
  poll(ids: number[]) {
    this.position = BigInt(ids[ids.length - 1]!);
    this.options.onRows(ids.map(row), ids.map(BigInt));
  }
}

class FakeHost implements ElectionHost {
  readonly replica = "me";
  lockFree = false;
  published: BusMessage[] = [];
  pollers: FakePoller[] = [];
  loop: ElectedPoller | null = null;
  tries = 0;
  async tryLock() {
    this.tries++;
    return this.lockFree;
  }
  unlock() {}
  holds() {
    return this.lockFree;
  }
  publish(_subject: string, m: BusMessage) {
    this.published.push(m);
  }
  join(_s: string, p: ElectedPoller) {
    this.loop = p;
  }
  leave() {}
  newPoller(options: PollerOptions, startAt: bigint | null) {
    const p = new FakePoller(options, startAt);
    this.pollers.push(p);
    return p as unknown as Poller;
  }
  elected() {}
  replayed() {}
}

/** A table of ids 1..n, read by `pollAfter` as the poller's query reads it. */
function table(ids: () => number[]): { dialect: Dialect; reads: number } {
  const t = { reads: 0, dialect: null as unknown as Dialect };
  t.dialect = {
    async pollAfter(_t: unknown, after: bigint, limit: number) {
      t.reads++;
      return ids()
        .filter((id) => BigInt(id) > after)
        .slice(0, limit)
        .map(row);
    },
  } as unknown as Dialect;
  return t;
}

function loop(host: FakeHost, dialect: Dialect) {
  const delivered: { ids: number[]; late: boolean }[] = [];
  const options: PollerOptions = {
    entity: "Order",
    table: { table: "orders", key: "id" },
    dialect,
    intervalMs: 100,
    batchSize: 3,
    gapTimeoutMs: 1000,
    log: createLogger("silent"),
    metrics: new Metrics(),
    onRows: (rows, keys, late) => delivered.push({ ids: keys.map(Number), late: !!late }),
  };
  const p = new ElectedPoller(options, host, "c.poll.Order", "c/Order");
  const ids = () => delivered.filter((d) => !d.late).flatMap((d) => d.ids);
  return { p, delivered, ids };
}

const rows = (prev: number, ids: number[]): BusMessage => ({ kind: "rows", replica: "other", at: Date.now(), prev: BigInt(prev), to: BigInt(ids[ids.length - 1]!), rows: ids.map(row), keys: ids.map(BigInt) });
const beat = (at: number | null): BusMessage => ({ kind: "beat", replica: "other", at: Date.now(), position: at === null ? null : BigInt(at) });

describe("an elected poll loop", () => {
  it("follows: starts at the first message's prev without a query, applies contiguous messages once, ignores what it has", async () => {
    const host = new FakeHost();
    const db = table(() => []);
    const { p, ids } = loop(host, db.dialect);
    p.start();
    p.receive(beat(null));
    assert.equal(p.position, null, "a poller settling its start gives no position");
    p.receive(rows(10, [11, 12]));
    await p.ready;
    p.receive(rows(12, [13]));
    p.receive(rows(12, [13])); // heard twice
    p.receive(rows(11, [12, 13, 14])); // overlapping
    p.receive(beat(14));
    await until("14", () => p.position === 14n);
    assert.deepEqual(ids(), [11, 12, 13, 14]);
    assert.equal(db.reads, 0, "no database read while nothing was lost");
    assert.equal(p.role, "follower");
    assert.equal(p.poller, "other");
    p.stop();
  });

  it("reads a hole from the database: the rows between its position and the message's prev, in batches, then the message", async () => {
    const host = new FakeHost();
    const db = table(() => [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]);
    const { p, ids } = loop(host, db.dialect);
    p.start();
    p.receive(rows(0, [1]));
    p.receive(rows(9, [10, 11])); // 2..9 lost (8 never committed)
    await until("11", () => p.position === 11n);
    assert.deepEqual(ids(), [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]);
    assert.ok(db.reads >= 3, "a batch of 3 at a time");
    p.receive(beat(12)); // a beat past the position is a hole too (a lost message of row 12)
    await until("12", () => p.position === 12n);
    p.stop();
  });

  it("when the poller is silent, contends; losing, reads the database alone from its position until the poller is heard again", async () => {
    const host = new FakeHost();
    const { p, ids } = loop(host, table(() => []).dialect);
    p.start();
    p.receive(rows(0, [1, 2]));
    await until("2", () => p.position === 2n);
    const tries = host.tries;
    await until("a local poller", () => host.pollers.length === 1, SILENCE_MS + 3000);
    assert.ok(host.tries > tries, "contended first");
    const local = host.pollers[0]!;
    assert.equal(local.startAt, 2n, "from its own position");
    assert.equal(p.source, "database");
    assert.equal(p.role, "follower");
    local.poll([3, 4]);
    assert.deepEqual(host.published, [], "a follower reading alone publishes nothing");
    p.receive(rows(4, [5]));
    assert.equal(local.stopped, true, "heard again: back to following");
    await until("5", () => p.position === 5n);
    local.poll([6]); // its last poll, after it was stopped: dropped, the bus brings it
    assert.deepEqual(ids(), [1, 2, 3, 4, 5]);
    p.stop();
  });

  it("winning the lock, polls from its position and publishes each poll between its positions; beats while quiet; a lost lock stops it at once", async () => {
    const host = new FakeHost();
    const { p, ids } = loop(host, table(() => []).dialect);
    p.start();
    p.receive(rows(0, [1, 2, 3]));
    await until("3", () => p.position === 3n);
    host.lockFree = true;
    await until("a local poller", () => host.pollers.length === 1, SILENCE_MS + 3000);
    assert.equal(p.role, "poller");
    const local = host.pollers[0]!;
    assert.equal(local.startAt, 3n);
    host.published = [];
    local.poll([4, 5]);
    const sent = host.published.filter((m) => m.kind === "rows");
    assert.deepEqual(sent.map((m) => m.kind === "rows" && [m.prev, m.to, m.keys]), [[3n, 5n, [4n, 5n]]]);
    await sleep(400);
    assert.ok(host.published.some((m) => m.kind === "beat" && m.position === 5n), "beats while quiet");
    p.receive(rows(0, [1])); // a deposed poller's message: ignored
    p.lockLost("the connection closed");
    assert.equal(local.stopped, true);
    assert.equal(p.role, "follower");
    assert.deepEqual(ids(), [1, 2, 3, 4, 5]);
    p.stop();
  });

  it("starts polling from the database's head when it wins before hearing anyone, and resigns on stop", async () => {
    const host = new FakeHost();
    host.lockFree = true;
    const { p } = loop(host, table(() => []).dialect);
    p.start();
    await until("a local poller", () => host.pollers.length === 1);
    assert.equal(host.pollers[0]!.startAt, null);
    host.pollers[0]!.settle(41n);
    await p.ready;
    assert.equal(p.position, 41n);
    await until("a beat at 41", () => host.published.some((m) => m.kind === "beat" && m.position === 41n));
    p.stop();
    assert.equal(host.published[host.published.length - 1]!.kind, "resign");
  });

  it("a resignation makes a follower contend at once", async () => {
    const host = new FakeHost();
    const { p } = loop(host, table(() => []).dialect);
    p.start();
    p.receive(rows(0, [1]));
    await until("1", () => p.position === 1n);
    await sleep(50);
    host.lockFree = true;
    p.receive({ kind: "resign", replica: "other", at: Date.now() });
    await until("polling", () => p.role === "poller", 500);
    p.stop();
  });
});

describe("bus messages", () => {
  it("round-trip, with 64-bit positions", () => {
    const m = rows(1, [2]);
    const big: BusMessage = { ...m, kind: "rows", prev: 9223372036854775806n, to: 9223372036854775807n, keys: [9223372036854775807n] } as BusMessage;
    assert.deepEqual(decodeMessage(encodeMessage(big)), big);
    assert.equal(decodeMessage(new TextEncoder().encode("{not json")), null);
    assert.equal(decodeMessage(new TextEncoder().encode('{"v":2}')), null);
  });

  it("split a large poll into contiguous parts; a row too large for any becomes a beat past it", () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const m = rows(0, ids) as Extract<BusMessage, { kind: "rows" }>;
    const parts = encodeRows(m, 600).map((b) => decodeMessage(b)!);
    assert.ok(parts.length > 1);
    let at = 0n;
    for (const part of parts) {
      assert.equal(part.kind, "rows");
      if (part.kind !== "rows") continue;
      assert.equal(part.prev, at, "each part starts where the one before ended");
      at = part.to;
    }
    assert.equal(at, 40n);
    const huge = { ...m, rows: [{ id: "1", v: "x".repeat(1000) }], keys: [1n], to: 1n };
    assert.deepEqual(encodeRows(huge, 600).map((b) => decodeMessage(b)), [{ kind: "beat", replica: "other", at: m.at, position: 1n }]);
  });

  it("subjects carry entity names safely", () => {
    assert.equal(pollSubject("c", "Order"), "c.poll.Order");
    assert.equal(pollSubject("c", "Line item-2"), "c.poll.Line%20item%2d2");
  });
});
