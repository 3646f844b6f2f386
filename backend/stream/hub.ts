/**
 * The broadcaster: receives each new change once from the feeds, serialises it once, and hands the
 * same strings to every subscribed session. Sending is synchronous and never waits on a client; a
 * client that cannot keep up is moved to `lagging` by its session.
 */
import type { EntityStatsMap } from "../../contract/rest.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { ClientSocket } from "./client-socket.ts";
import type { Change, EntityFeed } from "./feed.ts";
import { message, shareChanges, SharedFrame } from "./frames.ts";
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
}

export class Hub implements SessionHost {
  readonly sessions = new Set<Session>();
  private readonly perAddress = new Map<string, number>();
  readonly feeds = new Map<string, EntityFeed>();

  constructor(
    feeds: EntityFeed[],
    readonly limits: HubLimits,
    readonly metrics: Metrics,
    readonly log: Logger,
  ) {
    for (const f of feeds) this.feeds.set(f.entity.info.name, f);
  }

  /** The buffer limit of one client now: its own limit, or its share of the total when many are connected. */
  get clientBufferBytes(): number {
    return Math.min(this.limits.bufferBytes, Math.max(16 * 1024, Math.floor(this.limits.totalBufferBytes / Math.max(1, this.sessions.size))));
  }

  /** Why a new connection from `address` must be refused, or null. */
  refusal(address: string): string | null {
    if (this.sessions.size >= this.limits.maxConnections) return `the server holds its maximum of ${this.limits.maxConnections} connections`;
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxConnectionsPerAddress) return `your address holds its maximum of ${this.limits.maxConnectionsPerAddress} connections`;
    return null;
  }

  open(socket: ClientSocket, address: string, options: { batch: boolean; subscribeAll: boolean; mode: "table" | "events"; pollIntervalMs: number; version: string }): Session {
    const session = new Session(this, socket, address, { batch: options.batch });
    this.sessions.add(session);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
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
    const n = (this.perAddress.get(session.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(session.address);
    else this.perAddress.set(session.address, n);
    this.metrics.clients.set(this.sessions.size);
  }

  /** New changes of one entity, ascending by position. */
  publish(entity: string, changes: Change[]): void {
    if (this.sessions.size === 0 || changes.length === 0) return;
    const { keys, frames, batch } = shareChanges(entity, changes);
    for (const s of this.sessions) s.deliver(entity, keys, frames, batch);
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
