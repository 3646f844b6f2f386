/**
 * The server-wide budget of the reads made for one client alone — snapshots, cursor replays and the
 * resyncs of lagging clients — so that one client's replays cannot slow the live stream of the others.
 *
 * Live rows reach every client through the pollers' queries, on the same database pool as these reads,
 * and through the same event loop that parses the replayed rows and writes their frames. A client that
 * re-subscribed over and over with cursor 0 once queued a replay read of 1,000 rows (which mysql2 parses
 * in one stretch of 30–150 ms) per accepted subscribe ahead of the polls, and the others' p99 delivery
 * time tripled. So live delivery takes precedence:
 * - at most `concurrentReads` replay reads run at once, leaving the rest of the pool to the polls;
 * - each reads at most `pageRows` rows, so a poll's rows never wait long behind a page being parsed;
 * - reads that return rows take at most `busyMsPerSecond` of each second (charged from grant to done):
 *   on a machine short of CPU every read takes longer, and replays back off by as much; a read of
 *   nothing costs nothing, so a crowd of clients subscribing to empty tables is not held back;
 * - what they write is paced to `bytesPerSecond`;
 * - turns go round-robin between client addresses: an address waiting with many replays (or many
 *   connections) gets a turn as often as one waiting with a single one, FIFO within an address;
 * - a read whose subscription was superseded while it waited gives its turn up without reading, and
 *   one superseded while it read is charged what its dropped rows would have taken.
 * Both allowances hold a quarter of a second's worth at most.
 * Measured in tests/backend/replay-isolation.test.ts: with these, a flood of 5,000 re-subscribes leaves
 * another client's p99 delivery time where it was.
 */

export interface ReplayLimits {
  readonly concurrentReads: number;
  /** Rows one replay read may ask for. */
  readonly pageRows: number;
  /** Milliseconds of each second that reads returning rows may take, summed over the concurrent ones. */
  readonly busyMsPerSecond: number;
  readonly bytesPerSecond: number;
}

/** Two reads at a time (the dialects' pools hold four connections) of 250 rows, a quarter of each second, 16 MiB of frames a second. */
export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { concurrentReads: 2, pageRows: 250, busyMsPerSecond: 250, bytesPerSecond: 16 * 1024 * 1024 };

/** A change frame's fields around its row (`type`, `entity`, `timestamp`, `id`, …), for estimates. */
const FRAME_OVERHEAD = 120;

/** What a page of rows or changes takes as frames, judged by its first one (rows of a table are alike). */
export function estimatedSize(rows: readonly unknown[]): number {
  if (rows.length === 0) return 0;
  const first = JSON.stringify(rows[0], (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return rows.length * (first.length + FRAME_OVERHEAD);
}

/** One granted read of at most `rows` rows: call `done` once, with the rows it read and the bytes it wrote (or would have). */
export interface ReplayTurn {
  readonly rows: number;
  done(spent: { rows: number; bytes: number }): void;
}

interface Waiter {
  stale: () => boolean;
  grant: (turn: ReplayTurn | null) => void;
}

/** What an allowance may hold, in seconds of its rate. */
const BURST_SECONDS = 0.25;

/** An amount that refills at `perSecond` up to BURST_SECONDS' worth, and may be overdrawn: spending is known only afterwards. */
class Allowance {
  private value: number;
  private at: number;
  private readonly most: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.most = perSecond * BURST_SECONDS;
    this.value = this.most;
    this.at = now();
  }

  /** Milliseconds until it is positive again; 0 when it is. */
  wait(): number {
    this.refill();
    return this.value > 0 ? 0 : Math.ceil(((1 - this.value) / this.perSecond) * 1000);
  }

  spend(amount: number): void {
    this.refill();
    this.value -= amount;
  }

  private refill(): void {
    const now = this.now();
    this.value = Math.min(this.most, this.value + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }
}

export class ReplayBudget {
  private running = 0;
  private readonly time: Allowance;
  private readonly bytes: Allowance;
  /** Waiting reads by client address; the map's order is the round (served addresses go to its back). */
  private readonly waiting = new Map<string, Waiter[]>();
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly limits: ReplayLimits = DEFAULT_REPLAY_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.time = new Allowance(limits.busyMsPerSecond, now);
    this.bytes = new Allowance(limits.bytesPerSecond, now);
  }

  /** Reads granted and not yet done. */
  get active(): number {
    return this.running;
  }

  /** Reads waiting for a turn. */
  get queued(): number {
    let n = 0;
    for (const q of this.waiting.values()) n += q.length;
    return n;
  }

  /**
   * Waits for a turn for a read on behalf of a client at `owner`; resolves with null instead when `stale()`
   * holds once the turn comes (the read is no longer wanted).
   */
  turn(owner: string, stale: () => boolean): Promise<ReplayTurn | null> {
    return new Promise((grant) => {
      // Superseded reads of the same client leave the queue as new ones join: a flood stays as long as its live reads.
      const queue: Waiter[] = [];
      for (const w of this.waiting.get(owner) ?? []) {
        if (w.stale()) w.grant(null);
        else queue.push(w);
      }
      queue.push({ stale, grant });
      this.waiting.set(owner, queue); // an address already waiting keeps its place in the round
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.limits.concurrentReads && this.waiting.size > 0) {
      const wait = Math.max(this.time.wait(), this.bytes.wait());
      if (wait > 0) return this.wakeIn(wait);
      const [owner, queue] = this.waiting.entries().next().value!;
      const waiter = queue.shift()!;
      this.waiting.delete(owner);
      if (queue.length > 0) this.waiting.set(owner, queue); // to the back of the round
      if (waiter.stale()) {
        waiter.grant(null);
        continue;
      }
      this.running++;
      const grantedAt = this.now();
      let done = false;
      waiter.grant({
        rows: this.limits.pageRows,
        done: ({ rows, bytes }) => {
          if (done) return;
          done = true;
          this.running--;
          if (rows > 0) this.time.spend(this.now() - grantedAt);
          this.bytes.spend(bytes);
          this.dispatch();
        },
      });
    }
  }

  private wakeIn(ms: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.dispatch();
    }, ms);
    // Waiting replays alone never keep the process alive.
    (this.wakeTimer as { unref?: () => void }).unref?.();
  }
}
