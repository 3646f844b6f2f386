/**
 * Each entity's inserts per minute over the last minutes, from the statistics the backend sends every
 * few seconds: a point per reading of its rolling one-minute count (`inserts_last_minute`). Kept per
 * datasource rather than per query, so a dashboard refresh keeps its sparklines.
 */
import type { EntityStatsMap } from "../../contract/index.ts";
import type { TrendPoint } from "../shared/types.ts";

/** How far back a trend reaches. */
export const TREND_MINUTES = 15;
/** Readings closer together than this replace the last point rather than add one (fast stats intervals). */
const MIN_SPACING_MS = 5_000;

export class InsertTrend {
  private readonly byEntity = new Map<string, TrendPoint[]>();

  /** Takes in the statistics of every entity, as of `at` (ms since the epoch). */
  take(stats: EntityStatsMap, at: number): void {
    for (const [name, s] of Object.entries(stats)) {
      let points = this.byEntity.get(name);
      if (!points) {
        // Before the first reading the five-minute count tells what the earlier minutes held, on average.
        const earlier = Math.max(0, s.inserts_last_5_minutes - s.inserts_last_minute) / 4;
        points = [
          { time: at - 4 * 60_000, perMinute: earlier },
          { time: at - 60_000, perMinute: earlier },
        ];
        this.byEntity.set(name, points);
      }
      const last = points[points.length - 1]!;
      if (at < last.time) continue;
      const point = { time: at, perMinute: s.inserts_last_minute };
      if (points.length > 2 && at - points[points.length - 2]!.time < MIN_SPACING_MS) points[points.length - 1] = point;
      else points.push(point);
      const oldest = at - TREND_MINUTES * 60_000;
      while (points.length > 2 && points[0]!.time < oldest) points.shift();
    }
  }

  /** The entity's points, oldest first (a copy), or undefined before its first reading. */
  series(entity: string): TrendPoint[] | undefined {
    const points = this.byEntity.get(entity);
    return points ? points.slice() : undefined;
  }
}
