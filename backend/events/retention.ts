/**
 * Keeps `db_events` bounded (`polling.cleanup_after_days`): deletes changelog rows older than the
 * retention, in small batches (short locks, small undo), and never a row the stream has not passed —
 * a lagging backend keeps what it has still to deliver. Runs at start and then periodically.
 */
import type { Dialect } from "../db/dialect.ts";
import type { Logger } from "../log.ts";
import { EVENTS_REF } from "./changelog.ts";

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  dialect: Dialect;
  days: number;
  /** The stream position: nothing above it is deleted. */
  position: () => bigint | null;
  log: Logger;
  intervalMs?: number;
  batch?: number;
  /** Pause between batches, so a large backlog is removed without hogging the database. */
  pauseMs?: number;
}

export class Retention {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private running: Promise<number> | null = null;

  constructor(private readonly o: RetentionOptions) {}

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.runOnce();
      } catch (e) {
        this.o.log.warn("changelog retention failed; will retry", { error: (e as Error).message });
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.o.intervalMs ?? 3_600_000);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass: deletes every expired row the stream has passed; returns how many. */
  runOnce(now = Date.now()): Promise<number> {
    this.running ??= this.pass(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(now: number): Promise<number> {
    const upTo = this.o.position();
    if (upTo === null) return 0;
    const olderThan = new Date(now - this.o.days * DAY_MS);
    const limit = this.o.batch ?? 1000;
    let total = 0;
    for (;;) {
      const n = await this.o.dialect.prune(EVENTS_REF, { upTo, olderThan, limit });
      total += n;
      if (n < limit || this.stopped) break;
      await new Promise((r) => setTimeout(r, this.o.pauseMs ?? 50));
    }
    if (total > 0) this.o.log.info("removed expired changelog rows", { rows: total, older_than: olderThan.toISOString() });
    return total;
  }
}
