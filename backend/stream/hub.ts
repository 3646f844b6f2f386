/**
 * The broadcaster: receives each new change once from the feeds, serialises it once, and hands the
 * same frames to every subscribed session — framed for the wire once per publish, on first need, so a
 * client taking the whole publish is written one shared buffer (frames.ts, delivery.ts). Sending is
 * synchronous and never waits on a client; a client that cannot keep up is moved to `lagging` by its
 * session.
 */
import type { EntityStatsMap } from "../../contract/rest.ts";
import type { ErrorCode } from "../../contract/index.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { ClientSocket } from "./client-socket.ts";
import { ConnectionSlots, type ConnectionSlot } from "./connection-slots.ts";
import type { Change, EntityFeed } from "./feed.ts";
import { message, shareChanges, SharedFrame } from "./frames.ts";
import { ReplayBudget, type ReplayLimits } from "./replay-budget.ts";
import { Session, type SessionHost, type SessionLimits } from "./session.ts";

export interface HubLimits extends SessionLimits {
  /** Bytes one client may have queued before it counts as lagging… */
  bufferBytes: number;
  /** …and all clients together: with many clients each gets its share of this, so memory stays bounded. */
  totalBufferBytes: number;
  lagTimeoutMs: number;
  messageBytes: number;
  messagesPerSecond: number;
  messagesBurst: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Snapshots, replays and resyncs, server-wide (replay-budget.ts); its defaults when absent. */
  replay?: ReplayLimits;
}

export class Hub implements SessionHost {
  readonly sessions = new Set<Session>();
  readonly feeds = new Map<string, EntityFeed>();
  /** The connection limits, counted from the upgrade on (the WebSocket guard reserves). */
  readonly connections: ConnectionSlots;
  private readonly slots = new Map<Session, ConnectionSlot>();
  readonly replays: ReplayBudget;

  constructor(
    feeds: EntityFeed[],
    readonly limits: HubLimits,
    readonly metrics: Metrics,
    readonly log: Logger,
  ) {
    for (const f of feeds) this.feeds.set(f.entity.info.name, f);
    this.connections = new ConnectionSlots(limits);
    this.replays = new ReplayBudget(limits.replay);
  }

  /** The buffer limit of one client now: its own limit, or its share of the total when many are connected. */
  get clientBufferBytes(): number {
    return Math.min(this.limits.bufferBytes, Math.max(16 * 1024, Math.floor(this.limits.totalBufferBytes / Math.max(1, this.sessions.size))));
  }

  /** An entity watched since start (discovery): sessions subscribed to every entity follow it too. */
  add(feed: EntityFeed): void {
    this.feeds.set(feed.entity.info.name, feed);
    for (const s of this.sessions) s.follow(feed.entity.info.name);
  }

  /** Why a new connection from `address` must be refused, or null. */
  refusal(address: string): string | null {
    return this.connections.refusal(address);
  }

  /** `slot`: the one reserved for this connection at its upgrade; without one, a slot is counted now. */
  open(
    socket: ClientSocket,
    address: string,
    options: { batch: boolean; subscribeAll: boolean; mode: "table" | "events"; pollIntervalMs: number; version: string },
    slot: ConnectionSlot = this.connections.take(address),
  ): Session {
    const session = new Session(this, socket, address, { batch: options.batch });
    slot.claim();
    this.slots.set(session, slot);
    this.sessions.add(session);
    this.metrics.clients.set(this.sessions.size);
    socket.send(
      message({
        type: "connection_ack",
        data: { server: "nomnom-live", version: options.version, protocol: 1, entities: [...this.feeds.keys()], poll_interval_ms: options.pollIntervalMs, mode: options.mode },
      }),
    );
    if (options.subscribeAll) session.subscribe({});
    return session;
  }

  remove(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.slots.get(session)?.release();
    this.slots.delete(session);
    this.metrics.clients.set(this.sessions.size);
  }

  /** New changes of one entity, ascending by position — or late ones, all marked `late`, below it. */
  publish(entity: string, changes: Change[]): void {
    if (this.sessions.size === 0 || changes.length === 0) return;
    const { keys, frames, batch } = shareChanges(entity, changes);
    if (changes[0]!.late) for (const s of this.sessions) s.deliverLate(entity, changes, frames, batch);
    else for (const s of this.sessions) s.deliver(entity, keys, frames, batch);
  }

  /** A notice about some entities (the database not answering their poller) to every session subscribed to any of them. */
  notice(entities: string[], code: ErrorCode, text: string): void {
    for (const s of this.sessions) {
      const concerned = entities.filter((e) => s.subs.has(e));
      if (concerned.length > 0) s.error(code, text, concerned);
    }
  }

  publishStats(stats: EntityStatsMap): void {
    if (this.sessions.size === 0) return;
    const frame = new SharedFrame(message({ type: "stats_update", data: stats }));
    const limit = this.clientBufferBytes;
    for (const s of this.sessions) if (s.socket.bufferedAmount <= limit) s.socket.send(frame);
  }

  closeAll(code: number, reason: string): void {
    for (const s of [...this.sessions]) s.close(code, reason);
  }
}
