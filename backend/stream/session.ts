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
import type { Metrics } from "../metrics.ts";
import { ClientProtocol, type ProtocolLimits } from "./client-protocol.ts";
import type { ClientSocket } from "./client-socket.ts";
import { Delivery } from "./delivery.ts";
import type { Change } from "./feed.ts";
import { message, type SharedFrame } from "./frames.ts";
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
  /** Forgets a session that closed. */
  remove(session: Session): void;
}

export class Session implements SyncTarget {
  readonly subs = new Map<string, Subscription>();
  private readonly delivery: Delivery;
  private readonly protocol: ClientProtocol;
  /** Bumped on every subscribe, so only the latest one is answered with `subscribed`. */
  private generation = 0;
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

  handleText(text: string): void {
    const read = this.protocol.read(text);
    if (!read.ok) return this.error(read.error.code, read.error.message);
    const msg = read.message;
    switch (msg.type) {
      case "ping":
        return this.send(message({ type: "pong" }));
      case "unsubscribe": {
        const unknown = msg.entities.filter((e) => !this.host.feeds.has(e));
        if (unknown.length) return this.error("unknown_entity", `unknown entity: ${unknown.join(", ")}`, unknown);
        for (const e of msg.entities) this.subs.delete(e);
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
    if (msg.batch !== undefined) this.delivery.batch = msg.batch;
    const generation = ++this.generation;
    for (const name of [...this.subs.keys()]) if (!names.includes(name)) this.subs.delete(name);
    const syncs = names.map((name) => {
      const cursor = msg.cursor?.[name];
      const existing = this.subs.get(name);
      // Re-subscribing an entity that is already streaming without a new cursor keeps it as it is.
      if (existing && cursor === undefined && existing.mode !== "lagging") return Promise.resolve();
      return this.start(name, 0n, cursor === undefined ? (msg.snapshot === false ? "live" : "snapshot") : BigInt(cursor));
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

  /** A new subscription to `name`, superseding any before it, synced from `from`. */
  private start(name: string, sent: bigint, from: SyncStart): Promise<void> {
    const sub = new Subscription(name, this.host.feeds.get(name)!, this, sent);
    this.subs.set(name, sub);
    return sub.sync(from);
  }

  holds(sub: Subscription): boolean {
    return !this.closed && this.subs.get(sub.entity) === sub;
  }

  replay(entityJson: string, changes: Change[]): void {
    this.delivery.replay(entityJson, changes);
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
