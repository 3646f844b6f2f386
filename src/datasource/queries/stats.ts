/** Stats: one frame, one row per entity — total, inserts in the last 1 and 5 minutes, rate, last id and insert time. */
import type { DataQueryResponse } from "@grafana/data";
import type { Observable } from "rxjs";
import type { EntityStatsMap } from "../../../contract/index.ts";
import { statsFrame } from "../frames.ts";
import type { QueryContext, ResolvedQuery } from "./context.ts";
import { statsFedStream } from "./stats-feed.ts";

export function statsStream(ctx: QueryContext, q: ResolvedQuery, key: string): Observable<DataQueryResponse> {
  return statsFedStream(ctx, q, key, "stats", (infos) => {
    const names = infos.map((e) => e.name);
    // A stats_update may name only some entities: the others keep their latest statistics.
    let latest: EntityStatsMap = {};
    return {
      take: (stats) => {
        latest = { ...latest, ...stats };
      },
      frames: (meta, notices) => [statsFrame(latest, names, q.refId, meta, notices)],
    };
  });
}
