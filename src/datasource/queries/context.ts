/**
 * What every query stream needs of its datasource, and the steps they all take: resolving the query's
 * entities (retrying while the backend is unreachable) and answering with the connection's state.
 */
import { LoadingState, type DataQueryError, type DataQueryResponse } from "@grafana/data";
import type { EntityInfo, EntityStatsMap } from "../../../contract/index.ts";
import type { BackendApi } from "../../client/api.ts";
import { backoffDelay } from "../../client/backoff.ts";
import type { LiveClient } from "../../client/live-client.ts";
import type { NomnomQuery } from "../../shared/types.ts";
import type { Lifetime } from "../lifetime.ts";
import { explain } from "../messages.ts";

/** At most one emission per query this often while rows pour in. */
export const EMIT_EVERY_MS = 50;

/** A query with its template variables replaced; `entities` absent = every entity. */
export type ResolvedQuery = NomnomQuery & { entities?: string[] };

/** What a query stream needs of its datasource (NomnomDataSource is one). */
export interface QueryContext {
  readonly api: BackendApi;
  /** The datasource's shared WebSocket client. */
  readonly live: LiveClient;
  /** The backend URL of the settings, named in error messages. */
  readonly backendUrl: string | undefined;
}

/** Where a query stream's responses go (its subscriber). */
export interface ResponseSink {
  next(r: DataQueryResponse): void;
  complete(): void;
}

/**
 * Resolves the query's entities (retrying with backoff while the backend is unreachable, reporting
 * each failure), then hands them to `start`. An unknown entity ends the query with an error.
 */
export function withEntities(ctx: QueryContext, q: ResolvedQuery, key: string, sub: ResponseSink, life: Lifetime, start: (infos: EntityInfo[], stats: EntityStatsMap | null) => void): void {
  let attempt = 0;
  const once = async () => {
    let infos: EntityInfo[];
    let stats: EntityStatsMap | null;
    try {
      [infos, stats] = await Promise.all([ctx.live.entities(attempt > 0), ctx.api.stats().catch(() => null)]);
    } catch (e) {
      if (life.stopped) return;
      sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: explain(e, ctx.backendUrl), refId: q.refId }] });
      life.timeout(() => void once(), backoffDelay(attempt++));
      return;
    }
    if (life.stopped) return;
    const wanted = q.entities ?? (q.entity ? [q.entity] : null);
    const selected = wanted ? infos.filter((e) => wanted.includes(e.name)) : infos;
    const missing = wanted ? wanted.filter((name) => !infos.some((e) => e.name === name)) : [];
    if (missing.length > 0) {
      const named = missing.map((n) => `"${n}"`).join(", ");
      sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: `The backend does not watch ${missing.length === 1 ? "an entity" : "entities"} named ${named}; it watches: ${infos.map((e) => e.name).join(", ") || "nothing"}.`, refId: q.refId }] });
      sub.complete();
      return;
    }
    start(selected, stats);
  };
  void once();
}

/** A streaming response; an error while the connection is failing, which is then said. */
export function respond(live: LiveClient, key: string, data: DataQueryResponse["data"], errors: DataQueryError[]): DataQueryResponse {
  const state = live.state;
  const all = state.status === "error" ? [...errors, { message: state.message ?? "connection failed" }] : errors;
  return { key, data, state: all.length ? LoadingState.Error : LoadingState.Streaming, ...(all.length ? { errors: all } : {}) };
}
