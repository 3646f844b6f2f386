/**
 * One WebSocket client: its subscriptions and, per entity, how far it has been sent.
 *
 * An entity subscription is `syncing` (snapshot or replay from the database, up to the feed's settled
 * position), then `live` (shared frames from the hub), or `lagging` (the client's send buffer passed its
 * limit: live frames are dropped for it, and once it drains it is told and replayed from the database).
 * Per entity, keys only ever increase, so a client receives each row once and in key order.
 */
import { clientMessageSchema, type SubscribeMessage } from "../../contract/client-messages.ts";
import { CloseCode, type ErrorCode } from "../../contract/index.ts";
import { toRowId } from "../../contract/index.ts";
import type { ClientSocket } from "./client-socket.ts";
import type { Change } from "./feed.ts";
import { batchFrame, changeFrame, message, type SharedFrame } from "./frames.ts";
import type { Hub } from "./hub.ts";

const REPLAY_PAGE = 1000;
/** Bytes of frames written to one client in one corked run: few writes, and a buffer check between runs. */
const CORK_BYTES = 64 * 1024;

interface Subscription {
  mode: "syncing" | "live" | "lagging";
  /** Highest position sent (or covered by a snapshot). */
  sent: bigint;
  /** Bumped on every (re)subscription, so a superseded replay stops. */
  generation: number;
}

export class Session {
  readonly subs = new Map<string, Subscription>();
  batch: boolean;
  private generation = 0;
  private lagTimer: ReturnType<typeof setInterval> | null = null;
  private laggingSince = 0;
  private tokens: number;
  private lastRefill = Date.now();
  closed = false;

  constructor(
    readonly hub: Hub,
    readonly socket: ClientSocket,
    readonly address: string,
    options: { batch: boolean },
  ) {
    this.batch = options.batch;
    this.tokens = hub.limits.messagesBurst;
  }

  private sendRaw(data: string | SharedFrame): void {
    if (this.socket.isOpen) this.socket.send(data);
  }

  error(code: ErrorCode, text: string, entities?: string[]): void {
    this.sendRaw(message({ type: "error", code, message: text, ...(entities ? { entities } : {}) }));
  }

  /** Frames from the hub: the same strings for every client; `keys` ascend. */
  deliver(entity: string, keys: bigint[], frames: SharedFrame[], batch: () => SharedFrame): void {
    const sub = this.subs.get(entity);
    if (!sub || sub.mode !== "live") {
      if (sub?.mode === "lagging") this.hub.metrics.dropped.inc({ reason: "lagging" }, frames.length);
      return;
    }
    let from = 0;
    while (from < keys.length && keys[from]! <= sub.sent) from++; // only after a client-supplied cursor ran ahead
    if (from === keys.length) return;
    const limit = this.hub.clientBufferBytes;
    if (this.batch) {
      if (this.socket.bufferedAmount > limit) return this.lagBehind(frames.length - from);
      this.sendRaw(from === 0 ? batch() : batchFrame(frames.slice(from).map((f) => f.text), new Date().toISOString()));
      sub.sent = keys[keys.length - 1]!;
      return;
    }
    // Frames leave corked in runs of at most CORK_BYTES (one write each); the buffer is checked between runs,
    // after the kernel took what it could, so one large poll cannot overshoot the limit and the client lags
    // from the exact row it stopped at.
    let i = from;
    while (i < frames.length) {
      if (this.socket.bufferedAmount > limit) return this.lagBehind(frames.length - i);
      this.socket.cork?.();
      for (let run = 0; i < frames.length && run < CORK_BYTES; i++) {
        this.sendRaw(frames[i]!);
        run += frames[i]!.text.length;
        sub.sent = keys[i]!;
      }
      this.socket.uncork?.();
    }
  }

  private lagBehind(dropped: number): void {
    this.startLagging();
    this.hub.metrics.dropped.inc({ reason: "lagging" }, dropped);
  }

  handleText(text: string): void {
    if (!this.takeToken()) return this.error("rate_limited", `more than ${this.hub.limits.messagesPerSecond} messages per second; this one was ignored`);
    if (text.length > this.hub.limits.messageBytes) {
      return this.error("message_too_large", `messages are limited to ${this.hub.limits.messageBytes} bytes`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.error("invalid_json", "the message is not valid JSON");
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
      return this.error("invalid_message", `${issue.message}${where}; expected {"type":"subscribe"|"unsubscribe"|"ping", …}`);
    }
    const msg = parsed.data;
    switch (msg.type) {
      case "ping":
        return this.sendRaw(message({ type: "pong" }));
      case "unsubscribe": {
        const unknown = msg.entities.filter((e) => !this.hub.feeds.has(e));
        if (unknown.length) return this.error("unknown_entity", `unknown entity: ${unknown.join(", ")}`, unknown);
        for (const e of msg.entities) this.subs.delete(e);
        return;
      }
      case "subscribe":
        return this.subscribe(msg);
    }
  }

  subscribe(msg: Omit<SubscribeMessage, "type">): void {
    const names = msg.entities ?? [...this.hub.feeds.keys()];
    const unknown = [...names, ...Object.keys(msg.cursor ?? {})].filter((e) => !this.hub.feeds.has(e));
    if (unknown.length) {
      const names = [...new Set(unknown)];
      return this.error("unknown_entity", `unknown entity: ${names.join(", ")}; known: ${[...this.hub.feeds.keys()].join(", ")}`, names);
    }
    if (msg.batch !== undefined) this.batch = msg.batch;
    const generation = ++this.generation;
    for (const name of [...this.subs.keys()]) if (!names.includes(name)) this.subs.delete(name);
    const syncs = names.map((name) => {
      const cursor = msg.cursor?.[name];
      const existing = this.subs.get(name);
      // Re-subscribing an entity that is already streaming without a new cursor keeps it as it is.
      if (existing && cursor === undefined && existing.mode !== "lagging") return Promise.resolve();
      const sub: Subscription = { mode: "syncing", sent: 0n, generation };
      this.subs.set(name, sub);
      return this.sync(name, sub, cursor === undefined ? (msg.snapshot === false ? "live" : "snapshot") : BigInt(cursor));
    });
    void Promise.all(syncs).then(
      () => {
        if (this.generation !== generation || this.closed) return;
        const cursors: Record<string, number | string | null> = {};
        for (const name of names) {
          const s = this.subs.get(name);
          cursors[name] = s ? toRowId(s.sent) : null;
        }
        this.sendRaw(message({ type: "subscribed", entities: names, cursors }));
      },
      (e: unknown) => {
        if (!this.closed) this.error("internal", `the subscription failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  private stale(name: string, sub: Subscription): boolean {
    return this.closed || this.subs.get(name) !== sub;
  }

  /**
   * Brings one entity up to the feed's position from the database, then switches it to live frames.
   * While the database is unreachable the client is told once and the sync retries with backoff, so a
   * client that subscribes during an outage is served as soon as the database answers again.
   */
  private async sync(name: string, sub: Subscription, from: bigint | "snapshot" | "live"): Promise<void> {
    let start = from;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.syncOnce(name, sub, start, () => (start = sub.sent));
        return;
      } catch (e) {
        if (this.stale(name, sub)) return;
        if (attempt === 0) this.error("database_unavailable", `could not read ${name} from the database (${e instanceof Error ? e.message : String(e)}); retrying until it answers`, [name]);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
        if (this.stale(name, sub)) return;
      }
    }
  }

  /** One attempt; `progressed` is called once the start point is settled, so a retry continues from `sub.sent`. */
  private async syncOnce(name: string, sub: Subscription, from: bigint | "snapshot" | "live", progressed: () => void): Promise<void> {
    const feed = this.hub.feeds.get(name)!;
    await feed.ready;
    if (this.stale(name, sub)) return;
    const entityJson = JSON.stringify(name);
    if (from === "live") {
      sub.sent = feed.position!;
    } else if (from === "snapshot") {
      const upTo = feed.position!;
      const rows = await feed.latest(upTo, feed.entity.info.max_records);
      if (this.stale(name, sub)) return;
      this.sendRaw(message({ type: "snapshot", entity: name, data: rows, last_id: toRowId(upTo) }));
      sub.sent = upTo;
    } else {
      sub.sent = from;
    }
    progressed();
    for (;;) {
      const upTo = feed.position!;
      if (sub.sent >= upTo) {
        // Same tick as the check: any later publish carries positions above `upTo`.
        sub.mode = "live";
        return;
      }
      await this.drained();
      if (this.stale(name, sub)) return;
      const changes = await feed.changes(sub.sent, upTo, REPLAY_PAGE);
      if (this.stale(name, sub)) return;
      this.sendChanges(entityJson, changes);
      sub.sent = changes.length < REPLAY_PAGE ? upTo : changes[changes.length - 1]!.id;
    }
  }

  private sendChanges(entityJson: string, changes: Change[]): void {
    if (changes.length === 0) return;
    const ts = new Date().toISOString();
    const frames = changes.map((c) => changeFrame(entityJson, c, ts));
    if (this.batch) return this.sendRaw(batchFrame(frames, ts));
    this.socket.cork?.();
    for (const f of frames) this.sendRaw(f);
    this.socket.uncork?.();
  }

  /** Waits (bounded by the lag timeout) until the socket has room, so a replay never floods a slow client. */
  private async drained(): Promise<void> {
    const start = Date.now();
    while (this.socket.isOpen && this.socket.bufferedAmount > this.hub.clientBufferBytes / 4) {
      if (Date.now() - start > this.hub.limits.lagTimeoutMs) {
        this.close(CloseCode.TooSlow, "client too slow to keep up; reconnect with your cursor");
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private startLagging(): void {
    for (const sub of this.subs.values()) if (sub.mode === "live") sub.mode = "lagging";
    if (this.lagTimer) return;
    this.laggingSince = Date.now();
    this.lagTimer = setInterval(() => this.checkLagging(), 25);
  }

  private checkLagging(): void {
    if (!this.socket.isOpen) return this.close(CloseCode.TooSlow, "closed");
    const buffered = this.socket.bufferedAmount;
    const limit = this.hub.clientBufferBytes;
    if (buffered > limit * 4 || Date.now() - this.laggingSince > this.hub.limits.lagTimeoutMs) {
      this.hub.metrics.dropped.inc({ reason: "closed" });
      return this.close(CloseCode.TooSlow, "client too slow to keep up; reconnect with your cursor");
    }
    if (buffered > limit / 4) return;
    clearInterval(this.lagTimer!);
    this.lagTimer = null;
    const lagging = [...this.subs.entries()].filter(([, s]) => s.mode === "lagging");
    const resyncFrom: Record<string, number | string | null> = {};
    for (const [name, s] of lagging) resyncFrom[name] = toRowId(s.sent);
    this.sendRaw(message({ type: "lagging", message: "you fell behind; replaying what you missed from the database", resync_from: resyncFrom }));
    this.hub.metrics.resyncs.inc();
    for (const [name, s] of lagging) {
      const sub: Subscription = { mode: "syncing", sent: s.sent, generation: s.generation };
      this.subs.set(name, sub);
      void this.sync(name, sub, s.sent);
    }
  }

  private takeToken(): boolean {
    const now = Date.now();
    const { messagesPerSecond, messagesBurst } = this.hub.limits;
    this.tokens = Math.min(messagesBurst, this.tokens + ((now - this.lastRefill) / 1000) * messagesPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.hub.remove(this);
    if (this.socket.isOpen) this.socket.close(code, reason);
  }
}
