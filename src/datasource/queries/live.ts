/**
 * Live rows: the latest rows of each entity (the snapshot, held back until it is there), then every
 * new one, with the entity's statistics, its insert trend and the database's state, from the shared
 * WebSocket (and the datasource's BackendWatch).
 */
import { type DataQueryResponse } from "@grafana/data";
import { Observable } from "rxjs";
import { idAfter, type EntityInfo, type EntityStats, type EntityStatsMap } from "../../../contract/index.ts";
import type { StoredRow } from "../../client/entity-stream.ts";
import type { LiveClient } from "../../client/live-client.ts";
import type { DatabaseState, NomnomFrameMeta } from "../../shared/types.ts";
import { entityMeta, rowsFrame, selectedFields } from "../frames.ts";
import { Lifetime, throttle } from "../lifetime.ts";
import { connectionNotices } from "../messages.ts";
import { backendWatch } from "./backend-watch.ts";
import { EMIT_EVERY_MS, respond, withEntities, type QueryContext, type ResolvedQuery } from "./context.ts";

/**
 * Stats arrive every few seconds; rows arrive at once. The total shown with live rows counts the rows
 * that arrived live past the stats' `last_id` too, so it never lags behind the rows on screen. Rows of
 * the snapshot (at or below `snapshotAt`) are never added: the backend's total already counts them — an
 * entity with no insert since the backend started has no `last_id`, and its snapshot rows counted once
 * more would double its total.
 */
export function liveStats(stats: EntityStats | null, rows: StoredRow[], snapshotAt: StoredRow["id"] | null): EntityStats | null {
  if (!stats) return null;
  let newer = 0;
  for (let i = rows.length - 1; i >= 0 && idAfter(rows[i]!.id, stats.last_id) && idAfter(rows[i]!.id, snapshotAt); i--) newer++;
  if (newer === 0) return stats;
  return { ...stats, total: stats.total + newer, last_id: rows[rows.length - 1]!.id };
}

/** The latest statistics of an entity: the socket's, else those read when the query started. */
function statsFor(live: LiveClient, name: string, initial: EntityStatsMap | null): EntityStats | null {
  return live.latestStats?.stats[name] ?? initial?.[name] ?? null;
}

interface Watched {
  info: EntityInfo;
  /** The stream's position when its snapshot (or, joining a running stream, what it held) was taken. */
  snapshotAt: StoredRow["id"] | null;
  /** Date.now() when the stream last reported the database unavailable (0: it has not, or it cleared). */
  problemAt: number;
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
    const shared = backendWatch(ctx);
    let initialStats: EntityStatsMap | null = null;
    const emit = throttle(
      () => {
        const state = client.state;
        const settled = watched.every((w) => w.ready() || w.error() || w.problem());
        // Backfill before the first emission: wait for the snapshots, unless the connection (or the
        // backend's database) is failing, which is then said.
        if (!settled && state.attempt === 0) return;
        const notices = connectionNotices(state);
        // A stream's report of an outage stands until rows flow again or a later health answer is good.
        const outage = (w: Watched) => Boolean(w.problem()) && w.problemAt > shared.okAt;
        const errors = watched.filter((w) => w.error() || outage(w)).map((w) => ({ message: w.error() ?? w.problem()!, refId: q.refId }));
        const reporting = watched.find(outage);
        const database: DatabaseState = reporting ? { status: "unavailable", message: reporting.problem()!, since: reporting.problemAt } : shared.database;
        const frames = watched
          .filter((w) => !w.error())
          .map((w) => {
            const limit = Math.max(1, Math.min(q.limit ?? w.info.max_records, w.info.max_records));
            const trend = shared.trend.series(w.info.name);
            const meta: NomnomFrameMeta = {
              kind: "live",
              entity: entityMeta(w.info, shared.positions.get(w.info.name)),
              stats: liveStats(statsFor(client, w.info.name, initialStats), w.rows(), w.snapshotAt),
              ...(trend ? { trend } : {}),
              database,
              connection: state,
              received: w.received(),
            };
            return rowsFrame(w.info, w.rows().slice(-limit), q.refId, selectedFields(w.info, q.fields), meta, notices);
          });
        sub.next(respond(client, key, frames, errors));
      },
      EMIT_EVERY_MS,
      life,
    );
    withEntities(ctx, q, key, sub, life, (infos, stats) => {
      initialStats = stats;
      if (stats) shared.trend.take(stats, Date.now());
      // The cached list the query's entities came from: already there, so this lands before the first emission.
      void client.entities().then((all) => {
        shared.learnPositions(all);
        emit();
      }, () => {});
      for (const info of infos) {
        const entry: Watched = { info, snapshotAt: null, problemAt: 0, rows: () => [], ready: () => false, error: () => null, problem: () => null, received: () => 0 };
        const { stream, stop } = client.watch(info, {
          snapshot: () => {
            entry.snapshotAt = stream.lastId;
            emit();
          },
          append: emit,
          ready: emit,
          failed: emit,
          problem: (message) => {
            entry.problemAt = message ? Date.now() : 0;
            emit();
          },
        });
        life.add(stop);
        if (stream.ready) entry.snapshotAt = stream.lastId;
        if (stream.problem) entry.problemAt = Date.now();
        Object.assign(entry, { rows: () => stream.rows, ready: () => stream.ready, error: () => stream.error, problem: () => stream.problem, received: () => stream.changes });
        watched.push(entry);
      }
      life.add(client.onStatus(emit));
      life.add(client.watchStats(emit));
      life.add(shared.use(emit));
      emit();
    });
    return () => life.stop();
  });
}
