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
 *
 * Every read it makes for its client alone (the snapshot, each replayed page) waits for a turn of the
 * server's replay budget (replay-budget.ts), so no client's replays slow the live stream of the others.
 *
 * A cursor ahead of the feed's position names rows this server has not streamed: its data was reset (an
 * in-memory demo restarted) or its newest rows were removed — or, behind a load balancer, another
 * backend is a poll ahead. So the cursor is given `AHEAD_GRACE_MS` for the position to reach it; past
 * that the client is told (`cursor_ahead`) and the entity is synced as without a cursor: a snapshot
 * (which a client takes in place of what it holds) or, with `snapshot: false`, live from the position.
 * Taking the cursor as it is would skip, silently, every row up to it.
 *
 * Late rows (keys the stream passed at `gap_timeout_ms`, committed since) are below the position, so no
 * replay from `sent` carries them: while a key is still passed its row is left out of replays (it will
 * come as late), and late changes published while the subscription is not live are kept and sent once
 * it is — unless a replay page or the snapshot carried the row meanwhile.
 */
import { toRowId, type ErrorCode } from "../../contract/index.ts";
import type { Progress } from "./delivery.ts";
import type { Change, EntityFeed } from "./feed.ts";
import { message } from "./frames.ts";
import { estimatedSize, type ReplayTurn } from "./replay-budget.ts";

/** How long a cursor may be ahead of the feed's position before it is taken as one from another stream. */
export const AHEAD_GRACE_MS = 2000;

/** The little of an entity's feed a subscription reads: the settled position, the latest rows, the changes after a key. */
export type ReplayFeed = Pick<EntityFeed, "entity" | "position" | "ready" | "latest" | "changes" | "positionRange" | "isPassed">;

/** Late changes kept for a subscription that is not live yet; beyond this the oldest are dropped. */
const MAX_KEPT_LATE = 10_000;

/** Where a sync starts: after a client's cursor, with a snapshot of the latest rows, or live at the feed's position. */
export type SyncStart = bigint | "snapshot" | "live";

/** What a subscription's sync needs of its session. */
export interface SyncTarget {
  /** False once `sub` is superseded or the session closed. */
  holds(sub: Subscription): boolean;
  send(data: string): void;
  error(code: ErrorCode, text: string, entities?: string[]): void;
  /** Writes replayed changes, as rows or a batch (the session's choice); returns the characters written. */
  replay(entityJson: string, changes: Change[]): number;
  /** Waits for a turn of the replay budget for one read; null when `stale()` holds by then. */
  replayTurn(stale: () => boolean): Promise<ReplayTurn | null>;
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

  /** Late changes published while this subscription was not live, to send once it is. */
  private late: Change[] = [];

  keepLate(changes: Change[]): void {
    this.late.push(...changes);
    if (this.late.length > MAX_KEPT_LATE) this.late.splice(0, this.late.length - MAX_KEPT_LATE);
  }

  /** The late changes not sent yet, handed to the subscription that supersedes this one. */
  takeLate(): Change[] {
    return this.late.splice(0);
  }

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
  async sync(from: SyncStart, ahead: "snapshot" | "live" = "snapshot"): Promise<void> {
    let start = typeof from === "bigint" ? await this.checkAhead(from, ahead) : from;
    if (start === null) return;
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

  /** The cursor, once the feed's position reached it; `otherwise` when it stays ahead past the grace; null when superseded meanwhile. */
  private async checkAhead(cursor: bigint, otherwise: "snapshot" | "live"): Promise<SyncStart | null> {
    await this.feed.ready;
    const deadline = Date.now() + AHEAD_GRACE_MS;
    while (cursor > this.feed.position!) {
      if (this.stale) return null;
      if (Date.now() >= deadline) {
        const position = this.feed.position!;
        const instead = otherwise === "snapshot" ? `a snapshot up to ${position} follows` : `it continues live from ${position}`;
        this.target.error("cursor_ahead", `cursor ${cursor} of ${this.entity} is ahead of this server's stream (at ${position}): its data was reset or its newest rows removed; ${instead} — drop what you hold past it`, [this.entity]);
        return otherwise;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return cursor;
  }

  /**
   * One read for this client alone, in a turn of the replay budget. The turn is charged what `write` sent,
   * or — when the subscription was superseded during the read and its rows are dropped — what they would
   * have taken, so a flood of re-subscribes is paced by the reads it causes. False when superseded.
   */
  private async budgeted<T extends readonly unknown[]>(read: (pageRows: number) => Promise<T>, write: (rows: T, pageRows: number) => number): Promise<boolean> {
    const turn = await this.target.replayTurn(() => this.stale);
    if (!turn) return false;
    const spent = { rows: 0, bytes: 0 };
    try {
      const rows = await read(turn.rows);
      spent.rows = rows.length;
      if (this.stale) {
        spent.bytes = estimatedSize(rows);
        return false;
      }
      spent.bytes = write(rows, turn.rows);
      return true;
    } finally {
      turn.done(spent);
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
      const sent = await this.budgeted(
        () => feed.latest(upTo, feed.entity.info.max_records),
        (rows) => {
          // A late row the snapshot holds is not sent again (table mode: its key is its id; events mode: the change's key).
          const key = feed.entity.ref.key;
          const held = new Set(rows.map((r) => String(r[key])));
          this.late = this.late.filter((c) => !held.has(String(c.key ?? c.id)));
          const text = message({ type: "snapshot", entity: this.entity, data: rows, last_id: toRowId(upTo) });
          this.target.send(text);
          return text.length;
        },
      );
      if (!sent) return;
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
        if (this.late.length > 0) this.target.replay(entityJson, this.takeLate());
        return;
      }
      await this.target.drained();
      if (this.stale) return;
      const replayed = await this.budgeted(
        (pageRows) => feed.changes(this.sent, upTo, pageRows),
        (changes, pageRows) => {
          // A carried row is not sent late again; a row still passed is left for its late change.
          const carried = new Set(changes.map((c) => c.id));
          if (this.late.length > 0) this.late = this.late.filter((c) => !carried.has(c.id));
          const bytes = this.target.replay(entityJson, feed.isPassed ? changes.filter((c) => !feed.isPassed!(c.id)) : changes);
          this.sent = changes.length < pageRows ? upTo : changes[changes.length - 1]!.id;
          return bytes;
        },
      );
      if (!replayed) return;
    }
  }
}
