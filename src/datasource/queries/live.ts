/**
 * Live rows: the latest rows of each entity (the snapshot, held back until it is there), then every
 * new one, with the entity's statistics, from the shared WebSocket.
 */
import { type DataQueryResponse } from "@grafana/data";
import { Observable } from "rxjs";
import { idAfter, type EntityInfo, type EntityStats, type EntityStatsMap } from "../../../contract/index.ts";
import type { StoredRow } from "../../client/entity-stream.ts";
import type { LiveClient } from "../../client/live-client.ts";
import type { NomnomFrameMeta } from "../../shared/types.ts";
import { entityMeta, rowsFrame, selectedFields } from "../frames.ts";
import { Lifetime, throttle } from "../lifetime.ts";
import { connectionNotices } from "../messages.ts";
import { EMIT_EVERY_MS, respond, withEntities, type QueryContext, type ResolvedQuery } from "./context.ts";

/**
 * Stats arrive every few seconds; rows arrive at once. The total shown with live rows counts the rows
 * held past the stats' `last_id` too, so it never lags behind the rows on screen.
 */
function liveStats(stats: EntityStats | null, rows: StoredRow[]): EntityStats | null {
  if (!stats) return null;
  let newer = 0;
  for (let i = rows.length - 1; i >= 0 && idAfter(rows[i]!.id, stats.last_id); i--) newer++;
  if (newer === 0) return stats;
  return { ...stats, total: stats.total + newer, last_id: rows[rows.length - 1]!.id };
}

/** The latest statistics of an entity: the socket's, else those read when the query started. */
function statsFor(live: LiveClient, name: string, initial: EntityStatsMap | null): EntityStats | null {
  return live.latestStats?.stats[name] ?? initial?.[name] ?? null;
}

interface Watched {
  info: EntityInfo;
  rows: () => StoredRow[];
  ready: () => boolean;
  error: () => string | null;
  problem: () => string | null;
  received: () => number;
}

export function liveStream(ctx: QueryContext, q: ResolvedQuery, key: string): Observable<DataQueryResponse> {
  return new Observable<DataQueryResponse>((sub) => {
    const life = new Lifetime();
    const client = ctx.live;
    const watched: Watched[] = [];
    let initialStats: EntityStatsMap | null = null;
    const emit = throttle(
      () => {
        const state = client.state;
        const settled = watched.every((w) => w.ready() || w.error() || w.problem());
        // Backfill before the first emission: wait for the snapshots, unless the connection (or the
        // backend's database) is failing, which is then said.
        if (!settled && state.attempt === 0) return;
        const notices = connectionNotices(state);
        const errors = watched.filter((w) => w.error() || w.problem()).map((w) => ({ message: w.error() ?? w.problem()!, refId: q.refId }));
        const frames = watched
          .filter((w) => !w.error())
          .map((w) => {
            const limit = Math.max(1, Math.min(q.limit ?? w.info.max_records, w.info.max_records));
            const meta: NomnomFrameMeta = { kind: "live", entity: entityMeta(w.info), stats: liveStats(statsFor(client, w.info.name, initialStats), w.rows()), connection: state, received: w.received() };
            return rowsFrame(w.info, w.rows().slice(-limit), q.refId, selectedFields(w.info, q.fields), meta, notices);
          });
        sub.next(respond(client, key, frames, errors));
      },
      EMIT_EVERY_MS,
      life,
    );
    withEntities(ctx, q, key, sub, life, (infos, stats) => {
      initialStats = stats;
      for (const info of infos) {
        const { stream, stop } = client.watch(info, {
          snapshot: emit,
          append: emit,
          ready: emit,
          failed: emit,
          problem: emit,
        });
        life.add(stop);
        watched.push({ info, rows: () => stream.rows, ready: () => stream.ready, error: () => stream.error, problem: () => stream.problem, received: () => stream.changes });
      }
      life.add(client.onStatus(emit));
      life.add(client.watchStats(emit));
      emit();
    });
    return () => life.stop();
  });
}
