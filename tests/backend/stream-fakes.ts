/**
 * Stand-ins for what a WebSocket session talks to, so its behaviour is tested without a database or a
 * network: a socket that records frames and whose send buffer the test sets, an entity feed holding
 * its rows in memory (whose reads can be held back or made to fail like a database that is down), and
 * a host with the limits and metrics a hub would give.
 */
import type { ChangeMessage, Row, ServerMessage } from "../../contract/index.ts";
import type { Entity } from "../../backend/entities.ts";
import { Metrics } from "../../backend/metrics.ts";
import type { ClientSocket } from "../../backend/stream/client-socket.ts";
import type { Change } from "../../backend/stream/feed.ts";
import { shareChanges, type SharedFrame } from "../../backend/stream/frames.ts";
import { ReplayBudget } from "../../backend/stream/replay-budget.ts";
import { Session, type SessionHost } from "../../backend/stream/session.ts";
import type { ReplayFeed } from "../../backend/stream/subscription.ts";

export class FakeSocket implements ClientSocket {
  readonly texts: string[] = [];
  bufferedAmount = 0;
  isOpen = true;
  /** A client that stopped reading: every frame sent stays in the buffer. */
  stalled = false;
  closed: { code: number; reason: string } | null = null;
  /** How many frames each cork…uncork run held. */
  readonly runs: number[] = [];
  private corked = false;

  send(data: string | SharedFrame): void {
    const text = typeof data === "string" ? data : data.text;
    this.texts.push(text);
    if (this.stalled) this.bufferedAmount += text.length;
    if (this.corked) this.runs[this.runs.length - 1]!++;
  }

  close(code: number, reason: string): void {
    this.isOpen = false;
    this.closed = { code, reason };
  }

  cork(): void {
    this.corked = true;
    this.runs.push(0);
  }

  uncork(): void {
    this.corked = false;
  }

  /** The client reads again and empties its buffer. */
  drain(): void {
    this.stalled = false;
    this.bufferedAmount = 0;
  }

  get messages(): ServerMessage[] {
    return this.texts.map((t) => JSON.parse(t) as ServerMessage);
  }

  ofType<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  /** Every change, batched or not, in the order sent. */
  changes(): ChangeMessage[] {
    return this.messages.flatMap((m) => (m.type === "batch" ? m.events : m.type === "insert" ? [m] : []));
  }

  ids(): number[] {
    return this.changes().map((c) => Number(c.id));
  }
}

/** An entity's rows in memory; ids run 1, 2, 3, … and the position is the last committed one. */
export class MemoryFeed implements ReplayFeed {
  readonly entity: Entity;
  position: bigint | null = 0n;
  ready: Promise<void> = Promise.resolve();
  private readonly rows: Row[] = [];
  /** Every read of changes, in order: the pages of the replays. */
  readonly reads: { after: bigint; upTo: bigint; limit: number }[] = [];
  readonly snapshots: { upTo: bigint; limit: number }[] = [];
  /** While set, every read throws it: the database is down. */
  failure: Error | null = null;
  failures = 0;
  private readonly held = new Map<number, Promise<void>>();
  private readonly failAt = new Set<number>();

  constructor(name: string, rows = 0, maxRecords = 500) {
    this.entity = {
      info: { name, table: name.toLowerCase(), color: "blue", icon: "table", key: "id", timestamp: null, fields: [], max_records: maxRecords },
      ref: { table: name.toLowerCase(), key: "id" },
    };
    this.insert(rows);
  }

  /** Commits `n` rows and settles the position past them, as the poller does before the hub publishes them. */
  insert(n: number, payload = ""): Change[] {
    const added: Change[] = [];
    for (let i = 0; i < n; i++) {
      const data = { id: this.rows.length + 1, payload };
      this.rows.push(data);
      added.push({ type: "insert", id: BigInt(data.id), data });
    }
    this.position = BigInt(this.rows.length);
    return added;
  }

  /** The read of changes number `index` (from 0) waits until the returned function is called. */
  holdRead(index: number): () => void {
    let release!: () => void;
    this.held.set(index, new Promise<void>((r) => (release = r)));
    return release;
  }

  /** The read of changes number `index` fails once, as a query cut off by an outage. */
  failRead(index: number): void {
    this.failAt.add(index);
  }

  async latest(upTo: bigint, limit: number): Promise<Row[]> {
    this.snapshots.push({ upTo, limit });
    await Promise.resolve();
    this.check();
    return this.rows.filter((r) => BigInt(r.id as number) <= upTo).slice(-limit);
  }

  async changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]> {
    const index = this.reads.push({ after, upTo, limit }) - 1;
    await (this.held.get(index) ?? Promise.resolve());
    this.check();
    if (this.failAt.delete(index)) throw new Error("connection reset");
    return this.rows
      .filter((r) => BigInt(r.id as number) > after && BigInt(r.id as number) <= upTo)
      .slice(0, limit)
      .map((data) => ({ type: "insert", id: BigInt(data.id as number), data }));
  }

  private check(): void {
    if (!this.failure) return;
    this.failures++;
    throw this.failure;
  }
}

export class FakeHost implements SessionHost {
  readonly feeds = new Map<string, MemoryFeed>();
  clientBufferBytes = 1 << 20;
  readonly limits = { lagTimeoutMs: 5000, messageBytes: 4096, messagesPerSecond: 10, messagesBurst: 20 };
  readonly metrics = new Metrics();
  /** Pages of 1,000 rows, and roomy enough that no test here waits for a turn (replay-budget.test.ts tests the budget itself). */
  readonly replays = new ReplayBudget({ concurrentReads: 8, pageRows: 1000, busyMsPerSecond: 1000, bytesPerSecond: 1 << 30 });
  readonly removed: Session[] = [];

  constructor(...feeds: MemoryFeed[]) {
    for (const f of feeds) this.feeds.set(f.entity.info.name, f);
  }

  remove(session: Session): void {
    this.removed.push(session);
  }

  /** A session on a fake socket, as the hub opens one. */
  open(batch = false): { session: Session; socket: FakeSocket } {
    const socket = new FakeSocket();
    return { session: new Session(this, socket, "203.0.113.7", { batch }), socket };
  }

  /** What the hub does with a poll's new changes, for this one session. */
  publish(session: Session, entity: string, changes: Change[]): void {
    const { keys, frames, batch } = shareChanges(entity, changes);
    session.deliver(entity, keys, frames, batch);
  }

  async dropped(reason: "lagging" | "closed"): Promise<number> {
    return (await this.metrics.dropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  async resyncs(): Promise<number> {
    return (await this.metrics.resyncs.get()).values[0]?.value ?? 0;
  }
}

export async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending reads, retries and timers run, to show that nothing more is sent. */
export function settle(ms = 60): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** 1, 2, …, to. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
