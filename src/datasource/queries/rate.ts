/**
 * Insert rate: a time series per entity of its inserts per second, a point per statistics update,
 * kept to the dashboard's time range when it ends at "now" (and to RATE_POINTS_MAX points).
 */
import type { DataQueryResponse, TimeRange } from "@grafana/data";
import type { Observable } from "rxjs";
import { rateFrame, type RatePoint } from "../frames.ts";
import type { QueryContext, ResolvedQuery } from "./context.ts";
import { statsFedStream } from "./stats-feed.ts";

const RATE_POINTS_MAX = 3600;

export function rateStream(ctx: QueryContext, q: ResolvedQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
  return statsFedStream(ctx, q, key, "rate", (infos) => {
    const series = new Map<string, RatePoint[]>(infos.map((e) => [e.name, []]));
    return {
      take: (stats, at) => {
        const oldest = range && range.raw.to === "now" ? at - (range.to.valueOf() - range.from.valueOf()) : -Infinity;
        for (const [name, points] of series) {
          const s = stats[name];
          if (!s) continue;
          if (points.length && points[points.length - 1]!.time >= at) continue;
          points.push({ time: at, value: s.rate_per_second });
          while (points.length > RATE_POINTS_MAX || (points.length > 1 && points[0]!.time < oldest)) points.shift();
        }
      },
      frames: (meta, notices) => [...series].map(([name, points]) => rateFrame(name, points, q.refId, meta, notices)),
    };
  });
}
