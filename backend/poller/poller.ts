/**
 * One polling loop per entity, whatever the number of clients. When the next poll comes is the
 * cadence's (cadence.ts): at once after a full batch, soon while a gap holds rows back or rows keep
 * coming, at the interval when quiet — and right away when a doorbell rings (`wake`, wake.ts). Database
 * errors back off and keep the cursor, so nothing is lost when the database returns; a database that
 * stops answering is a stall (stall-watch.ts), each step abandoned at its deadline and retried.
 *
 * Keys passed at `gap_timeout_ms` are looked up on every poll until their row commits — then published
 * as `late` — or their transaction has certainly ended without it (passed-keys.ts).
 */
import { parseRowId, type Row } from "../../contract/index.ts";
import { DEFAULT_QUERY_TIMEOUT_MS } from "../db/deadline.ts";
import type { Dialect, TableRef } from "../db/dialect.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { Cadence } from "./cadence.ts";
import { GapCursor } from "./gap-cursor.ts";
import { PassedKeys } from "./passed-keys.ts";
import { StallWatch } from "./stall-watch.ts";

export interface PollerOptions {
  entity: string;
  table: TableRef;
  dialect: Dialect;
  intervalMs: number;
  batchSize: number;
  gapTimeoutMs: number;
  log: Logger;
  metrics: Metrics;
  /**
   * Called synchronously with each contiguous run of new rows; the cursor has already moved past them.
   * `late`: rows of keys the cursor passed at the gap timeout, committed since (below the position).
   */
  onRows: (rows: Row[], keys: bigint[], late?: boolean) => void;
  onHealth?: (ok: boolean, error?: unknown) => void;
  /** `polling.query_timeout_ms`: a step unanswered for a fraction of it is a stall. */
  queryTimeoutMs?: number;
  /** The database stopped answering this poller (said once, with why) or answers again (null). */
  onOutage?: (reason: string | null) => void;
  /**
   * Start here instead of at the table's settled head: a position some poller settled before — in a
   * cluster (cluster/elected-poller.ts), where the position it took over or followed up to.
   */
  startAt?: bigint;
}

export class Poller {
  private cursor: GapCursor | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readyResolve!: () => void;
  /** Resolves once the start position is settled (no transaction open at start can still commit below it). */
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r));
  lastPollAt: number | null = null;
  lastError: string | null = null;
  polls = 0;
  /** Whether the database answers this poller's steps: a stall's reason for health. */
  readonly stall: StallWatch;
  private readonly passed: PassedKeys;
  /** An outage was announced (onOutage) and has not ended. */
  private outage = false;
  /** A listening doorbell covers this poller (set by wake.ts): it rings when rows commit. */
  belled = false;
  private readonly cadence: Cadence;
  /** A poll is running; when it started; when the timer fires (a bell only ever brings it forward). */
  private polling = false;
  private startedAt = 0;
  private dueAt = Infinity;
  /** A bell rang and no poll has started since; and whether the poll running now was started by one. */
  private bellPending = false;
  private rung = false;

  constructor(private readonly o: PollerOptions) {
    this.cadence = new Cadence(o.intervalMs);
    const deadline = o.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    // A step that runs past a few polls' worth of time is a stall long before its deadline.
    this.stall = new StallWatch(o.entity, Math.min(deadline, Math.max(2000, o.intervalMs * 4)), (reason) => this.outageBegins(reason));
    // A passed key is watched until its transaction ends; one that never does, for an hour at the default gap timeout.
    this.passed = new PassedKeys(o.gapTimeoutMs * 60);
  }

  /** A key passed at the gap timeout whose row is still looked up (to publish it as late). */
  isPassed(key: bigint): boolean {
    return this.passed.has(key);
  }

  /** Every key up to this one is delivered or will never exist; history and replays stop here. */
  get position(): bigint | null {
    return this.cursor?.position ?? null;
  }

  get waitingOnGap(): { after: bigint; since: number } | null {
    const g = this.cursor?.oldestGap;
    return g && Date.now() - g.since > 1000 ? g : null;
  }

  start(): void {
    void this.settleStart();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A doorbell rang: rows may have committed. The poll comes now — or, when one just started, a few
   * milliseconds after it (bells close together make one poll); one running looks again when it ends.
   */
  wake(): void {
    this.bellPending = true;
    if (!this.polling) this.pollSoon();
  }

  private pollSoon(): void {
    // Before the start is settled there is nothing to poll; after an error the retry keeps its backoff.
    if (this.stopped || !this.cursor || this.lastError !== null) return;
    const now = Date.now();
    const at = Cadence.bellAt(this.startedAt, now);
    if (this.timer && at >= this.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(at - now, () => this.poll());
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => void this.run(fn), ms);
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.timer = null;
    this.polling = true;
    this.startedAt = Date.now();
    this.rung = this.bellPending;
    this.bellPending = false;
    try {
      await fn();
    } finally {
      this.polling = false;
    }
    if (this.bellPending) this.pollSoon();
  }

  private failed(e: unknown, attempt: number, retry: () => Promise<void>): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.lastError !== message) this.o.log.warn("database query failed; will retry", { entity: this.o.entity, error: message });
    this.lastError = message;
    this.o.metrics.databaseUp.set(0);
    this.o.onHealth?.(false, e);
    this.outageBegins(this.stall.reason() ?? `the database is unreachable (${message})`);
    this.schedule(Math.min(5000, this.o.intervalMs * 2 ** Math.min(attempt, 4)), retry);
  }

  private succeeded(): void {
    if (this.lastError) this.o.log.info("database reachable again", { entity: this.o.entity });
    this.lastError = null;
    this.lastPollAt = Date.now();
    this.o.metrics.databaseUp.set(1);
    this.o.onHealth?.(true);
    this.stall.answered();
    if (this.outage) {
      this.outage = false;
      this.o.onOutage?.(null);
    }
  }

  private outageBegins(reason: string): void {
    if (this.outage) return;
    this.outage = true;
    this.o.log.warn("database not answering; clients told", { entity: this.o.entity, reason });
    this.o.onOutage?.(reason);
  }

  /**
   * The start position is the highest key visible now, once every transaction writing the table at this
   * moment has ended: any lower key that was in flight is then committed (and visible) or gone.
   */
  private async settleStart(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const { dialect, table } = this.o;
    if (this.o.startAt !== undefined) {
      // Settled already: every key up to it was delivered or will never exist. Poll at once, as a takeover must.
      this.cursor = new GapCursor(this.o.startAt, table.key, { timeoutMs: this.o.gapTimeoutMs });
      this.readyResolve();
      this.schedule(0, () => this.poll());
      return;
    }
    try {
      const maxKey = await this.stall.watch("start", dialect.head(table));
      const fence = await this.stall.watch("writers check", dialect.writers(table));
      const startedAt = Date.now();
      while (fence.size > 0 && Date.now() - startedAt < this.o.gapTimeoutMs) {
        const now = await this.stall.watch("writers check", dialect.writers(table));
        if (![...fence].some((w) => now.has(w))) break;
        await new Promise((r) => setTimeout(r, 10));
        if (this.stopped) return;
      }
      this.cursor = new GapCursor(maxKey ?? 0n, table.key, { timeoutMs: this.o.gapTimeoutMs });
      this.succeeded();
      this.readyResolve();
      this.schedule(this.o.intervalMs, () => this.poll());
    } catch (e) {
      this.failed(e, attempt, () => this.settleStart(attempt + 1));
    }
  }

  private async poll(attempt = 0): Promise<void> {
    if (this.stopped || !this.cursor) return;
    const endTimer = this.o.metrics.pollDuration.startTimer({ entity: this.o.entity });
    let rows;
    try {
      rows = await this.stall.watch("poll", this.o.dialect.pollAfter(this.o.table, this.cursor.position, this.o.batchSize));
    } catch (e) {
      endTimer();
      this.failed(e, attempt, () => this.poll(attempt + 1));
      return;
    }
    endTimer();
    this.polls++;
    this.succeeded();
    const step = this.cursor.advance(rows, Date.now());
    for (const s of step.skipped) {
      const count = Number(s.to - s.from + 1n);
      this.o.metrics.gapsSkipped.inc({ entity: this.o.entity, reason: s.reason }, count);
      if (s.reason === "timeout") {
        this.o.log.warn("passed a key gap after gap_timeout_ms with its transaction possibly still open; its rows are delivered late if they commit", { entity: this.o.entity, from: s.from.toString(), to: s.to.toString() });
        const unwatched = this.passed.add(s.from, s.to, Date.now());
        if (unwatched > 0) this.o.log.warn("too many passed keys to watch: some will not be delivered late", { entity: this.o.entity, keys: unwatched });
      }
    }
    if (step.rows.length > 0) {
      this.o.metrics.rowsSeen.inc({ entity: this.o.entity }, step.rows.length);
      this.o.onRows(step.rows, step.keys);
    }
    try {
      if (this.cursor.hasGaps || this.passed.size > 0) {
        // Taken after this poll's snapshot: the fence of new gaps and passed keys, and the evidence gaps
        // (next poll) and passed keys (the look-up below) are judged by.
        const writers = await this.stall.watch("writers check", this.o.dialect.writers(this.o.table));
        this.cursor.observeWriters(writers);
        this.passed.observeWriters(writers);
      }
      if (this.passed.size > 0) await this.lookUpPassed();
    } catch (e) {
      this.failed(e, attempt, () => this.poll(attempt + 1));
      return;
    }
    const found = step.rows.length > 0 || step.skipped.length > 0 || this.cursor.hasGaps;
    const gap = step.blocked ? this.cursor.oldestGap : null;
    const delay = this.cadence.next({ read: rows.length, batchSize: this.o.batchSize, found, blocked: step.blocked, gapAgeMs: gap ? Date.now() - gap.since : 0, belled: this.belled, rung: this.rung });
    this.schedule(delay, () => this.poll());
  }

  /** Looks up passed keys: rows committed since are published as late; keys certainly gone are forgotten. */
  private async lookUpPassed(): Promise<void> {
    const asked = this.passed.lookup();
    const rows = await this.stall.watch("look-up of passed keys", this.o.dialect.rowsAt(this.o.table, asked));
    const keys = rows.map((r) => parseRowId(r[this.o.table.key]));
    const { expired } = this.passed.settle(asked, keys, Date.now());
    if (expired.length > 0) this.o.log.warn("stopped watching passed keys whose transaction is still open", { entity: this.o.entity, keys: expired.length });
    if (rows.length > 0) {
      this.o.log.info("rows of passed keys committed late; delivered marked late", { entity: this.o.entity, keys: keys.map(String).join(",").slice(0, 200) });
      this.o.onRows(rows, keys, true);
    }
  }
}
