/**
 * The nomnom-live datasource: live rows, statistics, insert rates and history, as streaming responses.
 *
 * REST goes through Grafana's data proxy (`<instanceSettings.url>/api/...`, the plugin.json route adds
 * the bearer token); rows and statistics arrive over one WebSocket per datasource instance (LiveClient).
 */
import {
  DataSourceApi,
  LoadingState,
  type CoreApp,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
  type TimeRange,
} from "@grafana/data";
import { getTemplateSrv } from "@grafana/runtime";
import { merge, Observable, of } from "rxjs";
import type { EntityInfo, EntityStats, EntityStatsMap, RowId } from "../../contract/index.ts";
import { ApiError, BackendApi } from "../client/api.ts";
import { backoffDelay } from "../client/backoff.ts";
import type { StoredRow } from "../client/entity-stream.ts";
import { LiveClient, socketUrl } from "../client/live-client.ts";
import { idAfter, normaliseId } from "../client/row-id.ts";
import { DEFAULT_QUERY, type NomnomFrameMeta, type NomnomOptions, type NomnomQuery } from "../shared/types.ts";
import { entityMeta, rateFrame, rowsFrame, selectedFields, statsFrame, type RatePoint } from "./frames.ts";
import { Lifetime, throttle } from "./lifetime.ts";
import { connectionNotices, explain } from "./messages.ts";

/** At most one emission per query this often while rows pour in. */
const EMIT_EVERY_MS = 50;
const HISTORY_PAGE = 1000;
const HISTORY_DEFAULT_LIMIT = 5000;
const RATE_POINTS_MAX = 3600;

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

export class NomnomDataSource extends DataSourceApi<NomnomQuery, NomnomOptions> {
  readonly api: BackendApi;
  readonly backendUrl: string | undefined;
  private client: LiveClient | null = null;

  constructor(readonly instanceSettings: DataSourceInstanceSettings<NomnomOptions>) {
    super(instanceSettings);
    this.api = new BackendApi(instanceSettings.url ?? "");
    this.backendUrl = instanceSettings.jsonData?.url;
  }

  /** The backend as the browser reaches it, for the WebSocket. */
  get browserUrl(): string {
    const { browserUrl, url } = this.instanceSettings.jsonData ?? {};
    return browserUrl || url || this.instanceSettings.url || "";
  }

  /** The shared WebSocket client, created on first use. */
  get live(): LiveClient {
    this.client ??= new LiveClient({ api: this.api, baseUrl: this.browserUrl });
    return this.client;
  }

  getDefaultQuery(_app: CoreApp): Partial<NomnomQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: NomnomQuery): boolean {
    return !query.hide;
  }

  /** Entities for the editors and template variables. */
  getEntities(): Promise<EntityInfo[]> {
    return this.live.entities();
  }

  async metricFindQuery(): Promise<MetricFindValue[]> {
    return (await this.getEntities()).map((e) => ({ text: e.name, value: e.name }));
  }

  private interpolate(query: NomnomQuery, scopedVars: ScopedVars): NomnomQuery {
    const entity = query.entity ? getTemplateSrv().replace(query.entity, scopedVars) : undefined;
    return { ...query, queryType: query.queryType ?? "live", entity: entity && entity !== "$__all" ? entity : undefined };
  }

  query(request: DataQueryRequest<NomnomQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide).map((t) => this.interpolate(t, request.scopedVars));
    if (targets.length === 0) return of({ data: [], state: LoadingState.Done });
    return merge(
      ...targets.map((q) => {
        const key = `${this.uid}/${q.refId}`;
        switch (q.queryType) {
          case "stats":
            return this.statsStream(q, key);
          case "rate":
            return this.rateStream(q, key, request.range);
          case "history":
            return this.historyStream(q, key, request.range);
          default:
            return this.liveStream(q, key);
        }
      }),
    );
  }

  // ── shared plumbing ─────────────────────────────────────────────────────────────────────────

  /**
   * Resolves the query's entities (retrying with backoff while the backend is unreachable, reporting
   * each failure), then hands them to `start`. An unknown entity ends the query with an error.
   */
  private withEntities(q: NomnomQuery, key: string, sub: { next(r: DataQueryResponse): void; complete(): void }, life: Lifetime, start: (infos: EntityInfo[], stats: EntityStatsMap | null) => void): void {
    let attempt = 0;
    const once = async () => {
      let infos: EntityInfo[];
      let stats: EntityStatsMap | null;
      try {
        [infos, stats] = await Promise.all([this.live.entities(attempt > 0), this.api.stats().catch(() => null)]);
      } catch (e) {
        if (life.stopped) return;
        sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: explain(e, this.backendUrl), refId: q.refId }] });
        life.timeout(() => void once(), backoffDelay(attempt++));
        return;
      }
      if (life.stopped) return;
      const selected = q.entity ? infos.filter((e) => e.name === q.entity) : infos;
      if (q.entity && selected.length === 0) {
        sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: `The backend does not watch an entity named "${q.entity}"; it watches: ${infos.map((e) => e.name).join(", ") || "nothing"}.`, refId: q.refId }] });
        sub.complete();
        return;
      }
      start(selected, stats);
    };
    void once();
  }

  private statsFor(name: string, initial: EntityStatsMap | null) {
    return this.live.latestStats?.stats[name] ?? initial?.[name] ?? null;
  }

  private respond(key: string, data: DataQueryResponse["data"], errors: DataQueryError[]): DataQueryResponse {
    const state = this.live.state;
    const all = state.status === "error" ? [...errors, { message: state.message ?? "connection failed" }] : errors;
    return { key, data, state: all.length ? LoadingState.Error : LoadingState.Streaming, ...(all.length ? { errors: all } : {}) };
  }

  // ── live rows ───────────────────────────────────────────────────────────────────────────────

  private liveStream(q: NomnomQuery, key: string): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      const watched: Array<{ info: EntityInfo; rows: () => StoredRow[]; ready: () => boolean; error: () => string | null }> = [];
      let received = 0;
      let initialStats: EntityStatsMap | null = null;
      const emit = throttle(
        () => {
          const state = client.state;
          const settled = watched.every((w) => w.ready() || w.error());
          // Backfill before the first emission: wait for the snapshots, unless the connection is failing.
          if (!settled && state.attempt === 0) return;
          const notices = connectionNotices(state);
          const errors = watched.filter((w) => w.error()).map((w) => ({ message: w.error()!, refId: q.refId }));
          const frames = watched
            .filter((w) => !w.error())
            .map((w) => {
              const limit = Math.max(1, Math.min(q.limit ?? w.info.max_records, w.info.max_records));
              const meta: NomnomFrameMeta = { kind: "live", entity: entityMeta(w.info), stats: liveStats(this.statsFor(w.info.name, initialStats), w.rows()), connection: state, received };
              return rowsFrame(w.info, w.rows().slice(-limit), q.refId, selectedFields(w.info, q.fields), meta, notices);
            });
          sub.next(this.respond(key, frames, errors));
        },
        EMIT_EVERY_MS,
        life,
      );
      this.withEntities(q, key, sub, life, (infos, stats) => {
        initialStats = stats;
        for (const info of infos) {
          const { stream, stop } = client.watch(info, {
            snapshot: emit,
            append: (rows) => {
              received += rows.length;
              emit();
            },
            ready: emit,
            failed: emit,
          });
          life.add(stop);
          watched.push({ info, rows: () => stream.rows, ready: () => stream.ready, error: () => stream.error });
        }
        life.add(client.onStatus(emit));
        life.add(client.watchStats(emit));
        emit();
      });
      return () => life.stop();
    });
  }

  // ── statistics ──────────────────────────────────────────────────────────────────────────────

  private statsStream(q: NomnomQuery, key: string): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      this.withEntities(q, key, sub, life, (infos, initial) => {
        const names = infos.map((e) => e.name);
        let latest: EntityStatsMap = initial ?? {};
        const emit = throttle(
          () => {
            const meta: NomnomFrameMeta = { kind: "stats", connection: client.state, received: 0 };
            sub.next(this.respond(key, [statsFrame(latest, names, q.refId, meta, connectionNotices(client.state))], []));
          },
          EMIT_EVERY_MS,
          life,
        );
        life.add(
          client.watchStats((stats) => {
            latest = { ...latest, ...stats };
            emit();
          }),
        );
        life.add(client.onStatus(emit));
        emit();
      });
      return () => life.stop();
    });
  }

  private rateStream(q: NomnomQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      this.withEntities(q, key, sub, life, (infos, initial) => {
        const series = new Map<string, RatePoint[]>(infos.map((e) => [e.name, []]));
        const add = (stats: EntityStatsMap, at: number) => {
          const oldest = range && range.raw.to === "now" ? at - (range.to.valueOf() - range.from.valueOf()) : -Infinity;
          for (const [name, points] of series) {
            const s = stats[name];
            if (!s) continue;
            if (points.length && points[points.length - 1]!.time >= at) continue;
            points.push({ time: at, value: s.rate_per_second });
            while (points.length > RATE_POINTS_MAX || (points.length > 1 && points[0]!.time < oldest)) points.shift();
          }
        };
        if (initial) add(initial, Date.now());
        const emit = throttle(
          () => {
            const meta: NomnomFrameMeta = { kind: "rate", connection: client.state, received: 0 };
            const notices = connectionNotices(client.state);
            sub.next(this.respond(key, [...series].map(([name, points]) => rateFrame(name, points, q.refId, meta, notices)), []));
          },
          EMIT_EVERY_MS,
          life,
        );
        life.add(
          client.watchStats((stats, at) => {
            add(stats, at);
            emit();
          }),
        );
        life.add(client.onStatus(emit));
        emit();
      });
      return () => life.stop();
    });
  }

  // ── history ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The rows of the time range, newest `limit` of them, from `/records`. When the range ends at "now"
   * the frame keeps growing: the entity's live stream is joined before the history is read, and only
   * rows after the history's `cursor` are added — no gap, no duplicate.
   */
  private historyStream(q: NomnomQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      this.withEntities(q, key, sub, life, (infos) => {
        const usable = infos.filter((e) => e.timestamp);
        if (q.entity && usable.length === 0) {
          sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: `Entity "${q.entity}" has no timestamp column, so it has no history by time: set \`timestamp:\` for it in the backend's YAML.`, refId: q.refId }] });
          sub.complete();
          return;
        }
        const follow = !range || range.raw.to === "now" || Math.abs(range.to.valueOf() - Date.now()) < 10_000;
        const limit = Math.max(1, q.limit ?? HISTORY_DEFAULT_LIMIT);
        const state = new Map<string, { rows: StoredRow[]; cursor: RowId | null; loaded: boolean; pending: StoredRow[] }>();
        let received = 0;
        const emit = throttle(
          () => {
            if (![...state.values()].every((s) => s.loaded)) return;
            const notices = follow ? connectionNotices(client.state) : [];
            const frames = usable.map((info) => {
              const meta: NomnomFrameMeta = { kind: "history", entity: entityMeta(info), connection: client.state, received };
              return rowsFrame(info, state.get(info.name)!.rows, q.refId, selectedFields(info, q.fields), meta, notices);
            });
            sub.next(follow ? this.respond(key, frames, []) : { key, data: frames, state: LoadingState.Done });
          },
          EMIT_EVERY_MS,
          life,
        );
        const addLive = (s: { rows: StoredRow[]; cursor: RowId | null }, rows: StoredRow[]) => {
          for (const r of rows) {
            if (!idAfter(r.id, s.cursor)) continue;
            s.rows.push(r);
            s.cursor = r.id;
            received++;
          }
          if (s.rows.length > limit) s.rows.splice(0, s.rows.length - limit);
        };
        for (const info of usable) {
          const s = { rows: [] as StoredRow[], cursor: null as RowId | null, loaded: false, pending: [] as StoredRow[] };
          state.set(info.name, s);
          if (follow) {
            const onRows = (rows: StoredRow[]) => {
              if (!s.loaded) s.pending.push(...rows);
              else {
                addLive(s, rows);
                emit();
              }
            };
            const { stop } = client.watch(info, { append: onRows, snapshot: onRows });
            life.add(stop);
          }
          void this.readHistory(info, range, follow, limit).then(
            ({ rows, cursor }) => {
              if (life.stopped) return;
              s.rows = rows;
              s.cursor = cursor;
              s.loaded = true;
              addLive(s, s.pending.splice(0));
              emit();
            },
            (e: unknown) => {
              if (life.stopped) return;
              sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: explain(e, this.backendUrl), refId: q.refId }] });
              sub.complete();
            },
          );
        }
        if (follow) life.add(client.onStatus(emit));
        if (usable.length === 0) sub.next({ key, state: LoadingState.Done, data: [] });
      });
      return () => life.stop();
    });
  }

  private async readHistory(info: EntityInfo, range: TimeRange | undefined, follow: boolean, limit: number): Promise<{ rows: StoredRow[]; cursor: RowId | null }> {
    const pages: StoredRow[][] = [];
    let total = 0;
    let before: RowId | undefined;
    let cursor: RowId | null = null;
    for (;;) {
      const page = await this.api.records(info.name, {
        ...(range ? { from: range.from.toISOString() } : {}),
        ...(range && !follow ? { to: range.to.toISOString() } : {}),
        ...(before !== undefined ? { before_id: String(before) } : {}),
        limit: Math.min(HISTORY_PAGE, limit - total),
      });
      if (pages.length === 0) cursor = page.cursor === null ? null : normaliseId(page.cursor);
      const rows = page.records.map((r) => ({ id: normaliseId(r[info.key] as RowId), data: r }));
      pages.unshift(rows);
      total += rows.length;
      if (!page.has_more || rows.length === 0 || total >= limit) break;
      before = rows[0]!.id;
    }
    return { rows: pages.flat(), cursor };
  }

  // ── connection test ─────────────────────────────────────────────────────────────────────────

  async testDatasource(): Promise<TestDataSourceResponse> {
    const url = this.backendUrl;
    if (!url) return { status: "error", message: "Set the backend URL: the address at which Grafana's server reaches nomnom-live, for example http://nomnom-live:8080." };
    let version: string;
    let dialect: string;
    let degraded: string | undefined;
    try {
      const health = await this.api.health();
      version = health.version;
      dialect = health.database.dialect;
      if (health.status === "degraded") degraded = health.reason;
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      if (err?.kind === "unreachable") return { status: "error", message: explain(e, url) };
      return { status: "error", message: `${url} does not answer like a nomnom-live backend: GET /api/health gave ${explain(e, url)}` };
    }
    let entities: EntityInfo[];
    try {
      entities = await this.live.entities(true);
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      if (err?.kind === "unauthorized") {
        const configured = Boolean(this.instanceSettings.jsonData && (this.instanceSettings as { secureJsonFields?: Record<string, boolean> }).secureJsonFields?.token);
        return {
          status: "error",
          message: configured
            ? `The backend at ${url} refused the token (${err.message}). Paste one of its server.auth_tokens into the Token field and save.`
            : `The backend at ${url} requires a token (${err.message}). Paste one of its server.auth_tokens into the Token field and save.`,
        };
      }
      return { status: "error", message: explain(e, url) };
    }
    if (entities.length === 0) {
      return {
        status: "error",
        message: `Connected to nomnom-live ${version}, but it watches no entities. List them under \`entities:\` in its YAML (or create a table with a single-column integer primary key) and restart it.`,
      };
    }
    try {
      await this.live.probe();
    } catch (e) {
      const wsUrl = socketUrl(this.browserUrl, {});
      const origin = typeof window !== "undefined" ? window.location.origin : "this Grafana";
      return {
        status: "error",
        message: `The REST API works, but this browser cannot open the WebSocket at ${wsUrl} (${e instanceof Error ? e.message : String(e)}). Set "Browser URL" to the backend's address as browsers reach it, and add ${origin} to the backend's server.cors_origins.`,
      };
    }
    const names = entities.map((e) => e.name).join(", ");
    if (degraded) return { status: "warning", message: `Connected to nomnom-live ${version} (${dialect}), but it reports a problem: ${degraded}. Entities: ${names}.` };
    return { status: "success", message: `Connected to nomnom-live ${version} (${dialect}): ${entities.length} ${entities.length === 1 ? "entity" : "entities"} — ${names}.` };
  }
}
