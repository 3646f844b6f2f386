/**
 * One WebSocket client: what it asks for (read by the client protocol), its subscription per entity,
 * and the lagging of the client as a whole — when its send buffer passes its limit, every live
 * subscription lags, and once it drains the client is told and each is replayed from the database.
 *
 * It knows its hub only through `SessionHost`, so the hub can hold sessions without the two importing
 * each other.
 */
import type { SubscribeMessage } from "../../contract/client-messages.ts";
import { CloseCode, toRowId, type ErrorCode } from "../../contract/index.ts";
import { inKeyRange } from "../db/key-range.ts";
import type { Metrics } from "../metrics.ts";
import { ClientProtocol, type ProtocolLimits } from "./client-protocol.ts";
import type { ClientSocket } from "./client-socket.ts";
import { Delivery } from "./delivery.ts";
import { positionRange, type Change } from "./feed.ts";
import { message, type SharedFrame } from "./frames.ts";
import type { ReplayBudget, ReplayTurn } from "./replay-budget.ts";
import { Subscription, type ReplayFeed, type SyncStart, type SyncTarget } from "./subscription.ts";

export interface SessionLimits extends ProtocolLimits {
  /** How long a client may stay too slow to drain before it is closed. */
  readonly lagTimeoutMs: number;
}

/** What a session needs of the hub that holds it. */
export interface SessionHost {
  readonly feeds: ReadonlyMap<string, ReplayFeed>;
  /** The buffer limit of one client now: it shrinks as more clients connect. */
  readonly clientBufferBytes: number;
  readonly limits: SessionLimits;
  readonly metrics: Pick<Metrics, "dropped" | "resyncs">;
  /** Turns for the reads made for one client alone (snapshots, replays), shared by every session. */
  readonly replays: Pick<ReplayBudget, "turn">;
  /** Forgets a session that closed. */
  remove(session: Session): void;
}

export class Session implements SyncTarget {
  readonly subs = new Map<string, Subscription>();
  private readonly delivery: Delivery;
  private readonly protocol: ClientProtocol;
  /** Bumped on every subscribe, so only the latest one is answered with `subscribed`. */
  private generation = 0;
  /** Subscribed to every entity (a subscribe without `entities`): entities added later are followed too. */
  private all = false;
  private lagTimer: ReturnType<typeof setInterval> | null = null;
  private laggingSince = 0;
  closed = false;

  constructor(
    private readonly host: SessionHost,
    readonly socket: ClientSocket,
    readonly address: string,
    options: { batch: boolean },
  ) {
    this.delivery = new Delivery(socket, options.batch);
    this.protocol = new ClientProtocol(host.limits);
  }

  send(data: string | SharedFrame): void {
    this.delivery.send(data);
  }

  error(code: ErrorCode, text: string, entities?: string[]): void {
    this.send(message({ type: "error", code, message: text, ...(entities ? { entities } : {}) }));
  }

  /** Frames from the hub: the same strings for every client; `keys` ascend. */
  deliver(entity: string, keys: bigint[], frames: SharedFrame[], batch: () => SharedFrame): void {
    const sub = this.subs.get(entity);
    if (!sub || sub.mode !== "live") {
      if (sub?.mode === "lagging") this.host.metrics.dropped.inc({ reason: "lagging" }, frames.length);
      return;
    }
    const unsent = this.delivery.live(sub, keys, frames, batch, this.host.clientBufferBytes);
    if (unsent > 0) {
      this.startLagging();
      this.host.metrics.dropped.inc({ reason: "lagging" }, unsent);
    }
  }

  /**
   * Late changes of one entity (below the stream position): a live subscription gets them now; one
   * still syncing or lagging keeps them until it is live (its replay would not carry them).
   */
  deliverLate(entity: string, changes: Change[], frames: SharedFrame[], batch: () => SharedFrame): void {
    const sub = this.subs.get(entity);
    if (!sub) return;
    if (sub.mode === "live") this.delivery.late(frames, batch);
    else sub.keepLate(changes);
  }

  handleText(text: string): void {
    const read = this.protocol.read(text);
    if (!read) return;
    if (!read.ok) return this.error(read.error.code, read.error.message);
    const msg = read.message;
    switch (msg.type) {
      case "ping":
        return this.send(message({ type: "pong" }));
      case "unsubscribe": {
        const unknown = msg.entities.filter((e) => !this.host.feeds.has(e));
        if (unknown.length) return this.error("unknown_entity", `unknown entity: ${unknown.join(", ")}`, unknown);
        for (const e of msg.entities) this.subs.delete(e);
        this.all = false;
        return;
      }
      case "subscribe":
        return this.subscribe(msg);
    }
  }

  subscribe(msg: Omit<SubscribeMessage, "type">): void {
    const feeds = this.host.feeds;
    const names = msg.entities ?? [...feeds.keys()];
    const unknown = [...names, ...Object.keys(msg.cursor ?? {})].filter((e) => !feeds.has(e));
    if (unknown.length) {
      const names = [...new Set(unknown)];
      return this.error("unknown_entity", `unknown entity: ${names.join(", ")}; known: ${[...feeds.keys()].join(", ")}`, names);
    }
    const outside = Object.entries(msg.cursor ?? {}).filter(([name, c]) => !inKeyRange(BigInt(c), positionRange(feeds.get(name)!)));
    if (outside.length) {
      const what = outside.map(([name, c]) => `${name}: ${c} (at most ${positionRange(feeds.get(name)!).max})`).join(", ");
      return this.error("invalid_cursor", `cursor outside the range of the stream position: ${what}; resume only from ids this server sent`, outside.map(([name]) => name));
    }
    if (msg.batch !== undefined) this.delivery.batch = msg.batch;
    this.all = msg.entities === undefined;
    const generation = ++this.generation;
    for (const name of [...this.subs.keys()]) if (!names.includes(name)) this.subs.delete(name);
    const syncs = names.map((name) => {
      const cursor = msg.cursor?.[name];
      const existing = this.subs.get(name);
      // Re-subscribing an entity that is already streaming without a new cursor keeps it as it is.
      if (existing && cursor === undefined && existing.mode !== "lagging") return Promise.resolve();
      const fresh = msg.snapshot === false ? "live" : "snapshot";
      return this.start(name, 0n, cursor === undefined ? fresh : BigInt(cursor), fresh);
    });
    void Promise.all(syncs).then(
      () => {
        if (this.generation !== generation || this.closed) return;
        const cursors: Record<string, number | string | null> = {};
        for (const name of names) {
          const s = this.subs.get(name);
          cursors[name] = s ? toRowId(s.sent) : null;
        }
        this.send(message({ type: "subscribed", entities: names, cursors }));
      },
      (e: unknown) => {
        if (!this.closed) this.error("internal", `the subscription failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /** A new subscription to `name`, superseding any before it, synced from `from` (from `ahead` if `from` is a cursor ahead of the stream). */
  private start(name: string, sent: bigint, from: SyncStart, ahead: "snapshot" | "live" = "snapshot"): Promise<void> {
    const sub = new Subscription(name, this.host.feeds.get(name)!, this, sent);
    const previous = this.subs.get(name);
    if (previous) sub.keepLate(previous.takeLate()); // late rows the one it supersedes had not sent yet
    this.subs.set(name, sub);
    return sub.sync(from, ahead);
  }

  /** An entity added while running (discovery): subscribed to every entity, the client gets its snapshot, a `subscribed` naming it, then its rows. */
  follow(name: string): void {
    if (!this.all || this.closed || this.subs.has(name)) return;
    void this.start(name, 0n, "snapshot").then(
      () => {
        const sub = this.subs.get(name);
        if (!this.closed && sub) this.send(message({ type: "subscribed", entities: [name], cursors: { [name]: toRowId(sub.sent) } }));
      },
      (e: unknown) => {
        if (!this.closed) this.error("internal", `the subscription to ${name} failed: ${e instanceof Error ? e.message : String(e)}`, [name]);
      },
    );
  }

  holds(sub: Subscription): boolean {
    return !this.closed && this.subs.get(sub.entity) === sub;
  }

  replay(entityJson: string, changes: Change[]): number {
    return this.delivery.replay(entityJson, changes);
  }

  replayTurn(stale: () => boolean): Promise<ReplayTurn | null> {
    return this.host.replays.turn(this.address, stale);
  }

  async drained(): Promise<void> {
    if (!(await this.delivery.drained(() => this.host.clientBufferBytes, this.host.limits.lagTimeoutMs))) {
      this.close(CloseCode.TooSlow, "client too slow to keep up; reconnect with your cursor");
    }
  }

  private startLagging(): void {
    for (const sub of this.subs.values()) sub.lag();
    if (this.lagTimer) return;
    this.laggingSince = Date.now();
    this.lagTimer = setInterval(() => this.checkLagging(), 25);
  }

  private checkLagging(): void {
    if (!this.socket.isOpen) return this.close(CloseCode.TooSlow, "closed");
    const buffered = this.socket.bufferedAmount;
    const limit = this.host.clientBufferBytes;
    if (buffered > limit * 4 || Date.now() - this.laggingSince > this.host.limits.lagTimeoutMs) {
      this.host.metrics.dropped.inc({ reason: "closed" });
      return this.close(CloseCode.TooSlow, "client too slow to keep up; reconnect with your cursor");
    }
    if (buffered > limit / 4) return;
    clearInterval(this.lagTimer!);
    this.lagTimer = null;
    const lagging = [...this.subs.values()].filter((s) => s.mode === "lagging");
    const resyncFrom: Record<string, number | string | null> = {};
    for (const s of lagging) resyncFrom[s.entity] = toRowId(s.sent);
    this.send(message({ type: "lagging", message: "you fell behind; replaying what you missed from the database", resync_from: resyncFrom }));
    this.host.metrics.resyncs.inc();
    // Each resumes from the exact row it was sent last, in a new subscription, as a re-subscribe would.
    for (const s of lagging) void this.start(s.entity, s.sent, s.sent);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.host.remove(this);
    if (this.socket.isOpen) this.socket.close(code, reason);
  }
}
