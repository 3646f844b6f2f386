/**
 * When the next poll comes. Quiet databases are polled every `interval_ms`, as always: idle queries per
 * second do not change. Otherwise the poll interval follows the rows:
 *
 * - a full batch is followed at once by another poll, and a gap that holds rows back is re-checked soon:
 *   its transaction usually commits within milliseconds, so the first look comes LOOK_AGAIN_MS after
 *   the gap was seen, and each later one after about as long as the gap has been open (the waits double),
 *   up to a tenth of the interval — a long transaction costs no more polls than before;
 * - without a doorbell (MySQL, MariaDB, PostgreSQL with neither triggers nor replication), once rows
 *   keep coming — a poll found at least one row per HOT_INTERVAL_MS since the one before, or STREAK
 *   polls in a row found rows (a full batch counts) — the next poll comes after HOT_INTERVAL_MS, and so
 *   on while they come; each quiet poll then doubles the wait, back to `interval_ms`. A commit now and
 *   then (fewer than one per interval) is read at the interval, as before, without polls spent looking
 *   in between;
 * - with a doorbell that is listening, the bell says when rows commit, so no poll is spent looking: a
 *   poll comes when it rings (bells close together coalesce into one poll, BELL_COALESCE_MS apart), and
 *   `interval_ms` stays the safety net. A rung poll that found nothing gets one look more after
 *   LOOK_AGAIN_MS, in case the ring came an instant before the rows were visible to a new snapshot (a
 *   logical-replication bell can: the commit is decoded from WAL, which is written before the
 *   transaction is visible; NOTIFY is sent after).
 */

/** The wait after a poll that found rows, while rows keep coming and no doorbell listens. */
export const HOT_INTERVAL_MS = 15;
/** Polls in a row that must find rows before they count as coming: a commit per interval or rarer never does. */
export const STREAK = 3;
/** The first look at a gap that holds rows back after it was seen, and the second look after a rung poll that found nothing. */
export const LOOK_AGAIN_MS = 5;
/** Bells are coalesced: a rung poll starts at least this long after the poll before it started. */
export const BELL_COALESCE_MS = 3;

export interface PollOutcome {
  /** Rows the poll read, whether or not the cursor could deliver them yet. */
  read: number;
  batchSize: number;
  /** Rows were delivered, or a gap was seen or passed. */
  found: boolean;
  /** A gap still holds rows back. */
  blocked: boolean;
  /** How long the oldest gap holding rows back has been open (0 when none is). */
  gapAgeMs?: number;
  /** A listening doorbell covers this poller. */
  belled: boolean;
  /** The poll ran because a bell rang. */
  rung: boolean;
}

export class Cadence {
  /** Polls in a row that found rows or a gap. */
  private streak = 0;
  /** Rows keep coming: polls come every HOT_INTERVAL_MS, or back off from it while quiet. */
  private hot = false;
  /** Quiet polls since the last that found rows, while hot. */
  private quiet = 0;
  /** When the last poll ended (`next` was asked): the rows of a poll came within the time since. */
  private lastAt: number | null = null;

  constructor(readonly intervalMs: number) {}

  /** Milliseconds until the next poll. */
  next(o: PollOutcome, now = Date.now()): number {
    const full = o.read >= o.batchSize && !o.blocked;
    this.streak = o.found || full ? this.streak + 1 : 0;
    const since = this.lastAt === null ? this.intervalMs : now - this.lastAt;
    this.lastAt = now;
    const coming = this.streak >= STREAK || (o.found && o.read * HOT_INTERVAL_MS >= since);
    if (full) return 0;
    if (o.blocked) {
      const most = Math.max(LOOK_AGAIN_MS, Math.round(this.intervalMs / 10));
      return Math.min(most, Math.max(LOOK_AGAIN_MS, Math.round(o.gapAgeMs ?? 0)));
    }
    if (o.belled) {
      this.hot = false;
      return !o.found && o.rung ? LOOK_AGAIN_MS : this.intervalMs;
    }
    if (o.found) {
      if (!this.hot && !coming) return this.intervalMs;
      this.hot = true;
      this.quiet = 0;
      return HOT_INTERVAL_MS;
    }
    if (!this.hot) return this.intervalMs;
    const wait = HOT_INTERVAL_MS * 2 ** ++this.quiet;
    if (wait < this.intervalMs) return wait;
    this.hot = false;
    return this.intervalMs;
  }

  /** The earliest a bell may start a poll, given when the last one started. */
  static bellAt(lastStartedAt: number, now: number): number {
    return Math.max(now, lastStartedAt + BELL_COALESCE_MS);
  }
}
