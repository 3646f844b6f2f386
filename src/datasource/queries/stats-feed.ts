/**
 * What the Stats and Insert rate queries share: a stream of frames fed by the backend's statistics —
 * first `/api/stats` (the backfill, as of now), then every `stats_update` of the shared WebSocket — and
 * emitted again whenever the connection changes.
 */
import type { DataFrame, DataQueryResponse, QueryResultMetaNotice } from "@grafana/data";
import { Observable } from "rxjs";
import type { EntityInfo, EntityStatsMap } from "../../../contract/index.ts";
import type { NomnomFrameMeta } from "../../shared/types.ts";
import { Lifetime, throttle } from "../lifetime.ts";
import { connectionNotices } from "../messages.ts";
import { EMIT_EVERY_MS, respond, withEntities, type QueryContext, type ResolvedQuery } from "./context.ts";

/** One query's reading of the statistics. */
export interface StatsFeed {
  /** Takes in the statistics of every entity, as of `at` (ms since the epoch). */
  take(stats: EntityStatsMap, at: number): void;
  /** The frames of what was taken so far. */
  frames(meta: NomnomFrameMeta, notices: QueryResultMetaNotice[]): DataFrame[];
}

/** A query of `kind` whose frames `feed` (made once the query's entities are known) builds from the statistics. */
export function statsFedStream(ctx: QueryContext, q: ResolvedQuery, key: string, kind: "stats" | "rate", feed: (infos: EntityInfo[]) => StatsFeed): Observable<DataQueryResponse> {
  return new Observable<DataQueryResponse>((sub) => {
    const life = new Lifetime();
    const client = ctx.live;
    withEntities(ctx, q, key, sub, life, (infos, initial) => {
      const reading = feed(infos);
      if (initial) reading.take(initial, Date.now());
      const emit = throttle(
        () => {
          const meta: NomnomFrameMeta = { kind, connection: client.state, received: 0 };
          sub.next(respond(client, key, reading.frames(meta, connectionNotices(client.state)), []));
        },
        EMIT_EVERY_MS,
        life,
      );
      life.add(
        client.watchStats((stats, at) => {
          reading.take(stats, at);
          emit();
        }),
      );
      life.add(client.onStatus(emit));
      emit();
    });
    return () => life.stop();
  });
}
