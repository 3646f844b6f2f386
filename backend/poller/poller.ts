/**
 * One polling loop per entity, whatever the number of clients. A full batch is followed at once by
 * another poll; a gap that holds rows back is re-checked soon (its transaction usually commits within
 * milliseconds); otherwise the next poll comes after the interval. Database errors back off and keep the
 * cursor, so nothing is lost when the database returns.
 */
import type { Row } from "../../contract/index.ts";
import type { Dialect, TableRef } from "../db/dialect.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { GapCursor } from "./gap-cursor.ts";

export interface PollerOptions {
  entity: string;
  table: TableRef;
  dialect: Dialect;
  intervalMs: number;
  batchSize: number;
  gapTimeoutMs: number;
  log: Logger;
  metrics: Metrics;
  /** Called synchronously with each contiguous run of new rows; the cursor has already moved past them. */
  onRows: (rows: Row[], keys: bigint[]) => void;
  onHealth?: (ok: boolean, error?: unknown) => void;
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

  constructor(private readonly o: PollerOptions) {}

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

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void fn(), ms);
  }

  private failed(e: unknown, attempt: number, retry: () => Promise<void>): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.lastError !== message) this.o.log.warn("database query failed; will retry", { entity: this.o.entity, error: message });
    this.lastError = message;
    this.o.metrics.databaseUp.set(0);
    this.o.onHealth?.(false, e);
    this.schedule(Math.min(5000, this.o.intervalMs * 2 ** Math.min(attempt, 4)), retry);
  }

  private succeeded(): void {
    if (this.lastError) this.o.log.info("database reachable again", { entity: this.o.entity });
    this.lastError = null;
    this.lastPollAt = Date.now();
    this.o.metrics.databaseUp.set(1);
    this.o.onHealth?.(true);
  }

  /**
   * The start position is the highest key visible now, once every transaction writing the table at this
   * moment has ended: any lower key that was in flight is then committed (and visible) or gone.
   */
  private async settleStart(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const { dialect, table } = this.o;
    try {
      const maxKey = await dialect.head(table);
      const fence = await dialect.writers(table);
      const startedAt = Date.now();
      while (fence.size > 0 && Date.now() - startedAt < this.o.gapTimeoutMs) {
        const now = await dialect.writers(table);
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
      rows = await this.o.dialect.pollAfter(this.o.table, this.cursor.position, this.o.batchSize);
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
        this.o.log.warn("passed a key gap after gap_timeout_ms with its transaction possibly still open", { entity: this.o.entity, from: s.from.toString(), to: s.to.toString() });
      }
    }
    if (step.rows.length > 0) {
      this.o.metrics.rowsSeen.inc({ entity: this.o.entity }, step.rows.length);
      this.o.onRows(step.rows, step.keys);
    }
    if (this.cursor.hasGaps) {
      // Taken after this poll's snapshot: the fence of new gaps, and the evidence the next poll judges gaps by.
      try {
        this.cursor.observeWriters(await this.o.dialect.writers(this.o.table));
      } catch (e) {
        this.failed(e, attempt, () => this.poll(attempt + 1));
        return;
      }
    }
    const full = rows.length >= this.o.batchSize;
    const delay = full && !step.blocked ? 0 : step.blocked ? Math.max(5, Math.round(this.o.intervalMs / 10)) : this.o.intervalMs;
    this.schedule(delay, () => this.poll());
  }
}
