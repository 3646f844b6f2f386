/**
 * Live statistics per entity, kept in memory from what the poller sees: the total starts from one
 * count at start-up (the planner's estimate on large tables) and grows with every row, so `/api/stats`
 * never scans a table. Rates come from a ring of per-second counters.
 */
import type { EntityStats } from "../contract/rest.ts";
import { toRowId } from "../contract/index.ts";

const WINDOW_S = 300;

export class EntityStatsTracker {
  private readonly buckets = new Float64Array(WINDOW_S);
  private bucketSecond = Math.floor(Date.now() / 1000);
  total = 0;
  estimated = false;
  lastKey: bigint | null = null;
  lastInsertAt: number | null = null;

  private roll(nowS: number): void {
    const steps = Math.min(WINDOW_S, nowS - this.bucketSecond);
    for (let i = 1; i <= steps; i++) this.buckets[(this.bucketSecond + i) % WINDOW_S] = 0;
    if (nowS > this.bucketSecond) this.bucketSecond = nowS;
  }

  record(count: number, lastKey: bigint, now = Date.now()): void {
    const s = Math.floor(now / 1000);
    this.roll(s);
    this.buckets[s % WINDOW_S]! += count;
    this.total += count;
    this.lastKey = lastKey;
    this.lastInsertAt = now;
  }

  /** Rows that committed below the last key (delivered late): counted, without moving the last key. */
  recordLate(count: number, now = Date.now()): void {
    const s = Math.floor(now / 1000);
    this.roll(s);
    this.buckets[s % WINDOW_S]! += count;
    this.total += count;
  }

  private sumLast(seconds: number, nowS: number): number {
    let sum = 0;
    for (let i = 0; i < seconds; i++) sum += this.buckets[(nowS - i + WINDOW_S) % WINDOW_S]!;
    return sum;
  }

  snapshot(now = Date.now()): EntityStats {
    const s = Math.floor(now / 1000);
    this.roll(s);
    return {
      total: this.total,
      total_estimated: this.estimated,
      inserts_last_minute: this.sumLast(60, s),
      inserts_last_5_minutes: this.sumLast(WINDOW_S, s),
      rate_per_second: Math.round((this.sumLast(10, s) / 10) * 100) / 100,
      last_id: this.lastKey === null ? null : toRowId(this.lastKey),
      last_insert_at: this.lastInsertAt === null ? null : new Date(this.lastInsertAt).toISOString(),
    };
  }
}
