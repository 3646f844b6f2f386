/**
 * One client's subscription to one entity, and how far it has been sent.
 *
 * It is `syncing` (snapshot or replay from the database, up to the feed's settled position), then `live`
 * (shared frames from the hub), or `lagging` (the client's send buffer passed its limit: live frames are
 * dropped for it, and once it drains its session replays it from the database in a new subscription).
 * Keys only ever increase, so a client receives each row once and in key order.
 *
 * A subscription is superseded when its session replaces it (a re-subscribe, an unsubscribe, a resync)
 * or closes: a replay still running for it then stops at its next step and sends nothing more.
 */
import { toRowId, type ErrorCode } from "../../contract/index.ts";
import type { Progress } from "./delivery.ts";
import type { Change, EntityFeed } from "./feed.ts";
import { message } from "./frames.ts";

const REPLAY_PAGE = 1000;

/** The little of an entity's feed a subscription reads: the settled position, the latest rows, the changes after a key. */
export type ReplayFeed = Pick<EntityFeed, "entity" | "position" | "ready" | "latest" | "changes">;

/** Where a sync starts: after a client's cursor, with a snapshot of the latest rows, or live at the feed's position. */
export type SyncStart = bigint | "snapshot" | "live";

/** What a subscription's sync needs of its session. */
export interface SyncTarget {
  /** False once `sub` is superseded or the session closed. */
  holds(sub: Subscription): boolean;
  send(data: string): void;
  error(code: ErrorCode, text: string, entities?: string[]): void;
  /** Writes replayed changes, as rows or a batch (the session's choice). */
  replay(entityJson: string, changes: Change[]): void;
  /** Resolves once the client has room for more (or the session was closed as too slow). */
  drained(): Promise<void>;
}

export class Subscription implements Progress {
  mode: "syncing" | "live" | "lagging" = "syncing";

  constructor(
    readonly entity: string,
    private readonly feed: ReplayFeed,
    private readonly target: SyncTarget,
    /** Highest position sent (or covered by a snapshot). */
    public sent: bigint,
  ) {}

  private get stale(): boolean {
    return !this.target.holds(this);
  }

  /** A live subscription whose client fell behind: live frames are dropped for it until its resync. */
  lag(): void {
    if (this.mode === "live") this.mode = "lagging";
  }

  /**
   * Brings the entity up to the feed's position from the database, then switches it to live frames.
   * While the database is unreachable the client is told once and the sync retries with backoff, so a
   * client that subscribes during an outage is served as soon as the database answers again.
   */
  async sync(from: SyncStart): Promise<void> {
    let start = from;
    let settled = false;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.syncOnce(start, () => (settled = true));
        return;
      } catch (e) {
        if (this.stale) return;
        // Once the start point is settled, `sent` is how far the client got: a retry continues from there.
        if (settled) start = this.sent;
        if (attempt === 0) this.target.error("database_unavailable", `could not read ${this.entity} from the database (${e instanceof Error ? e.message : String(e)}); retrying until it answers`, [this.entity]);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
        if (this.stale) return;
      }
    }
  }

  /** One attempt; `progressed` is called once the start point is settled: from then on a retry continues from `sent`. */
  private async syncOnce(from: SyncStart, progressed: () => void): Promise<void> {
    const feed = this.feed;
    await feed.ready;
    if (this.stale) return;
    const entityJson = JSON.stringify(this.entity);
    if (from === "live") {
      this.sent = feed.position!;
    } else if (from === "snapshot") {
      const upTo = feed.position!;
      const rows = await feed.latest(upTo, feed.entity.info.max_records);
      if (this.stale) return;
      this.target.send(message({ type: "snapshot", entity: this.entity, data: rows, last_id: toRowId(upTo) }));
      this.sent = upTo;
    } else {
      this.sent = from;
    }
    progressed();
    for (;;) {
      const upTo = feed.position!;
      if (this.sent >= upTo) {
        // Same tick as the check: any later publish carries positions above `upTo`.
        this.mode = "live";
        return;
      }
      await this.target.drained();
      if (this.stale) return;
      const changes = await feed.changes(this.sent, upTo, REPLAY_PAGE);
      if (this.stale) return;
      this.target.replay(entityJson, changes);
      this.sent = changes.length < REPLAY_PAGE ? upTo : changes[changes.length - 1]!.id;
    }
  }
}
