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
import { applyToRows, type StoredChange, type StoredRow } from "../client/entity-stream.ts";
import { LiveClient, socketUrl } from "../client/live-client.ts";
import { idAfter, normaliseId } from "../../contract/index.ts";
import { DEFAULT_QUERY, type NomnomFrameMeta, type NomnomOptions, type NomnomQuery } from "../shared/types.ts";
import { entityMeta, rateFrame, rowsFrame, selectedFields, statsFrame, type RatePoint } from "./frames.ts";
import { Lifetime, throttle } from "./lifetime.ts";
import { connectionNotices, explain } from "./messages.ts";

/** At most one emission per query this often while rows pour in. */
const EMIT_EVERY_MS = 50;
const HISTORY_PAGE = 1000;
const HISTORY_DEFAULT_LIMIT = 5000;
const RATE_POINTS_MAX = 3600;
/** Joins the values of a multi-value or "All" template variable, to be split again (a control character no name has). */
const MULTI_SEPARATOR = "\u001f";

/** One entity of a History query that follows "now". */
interface HistoryState {
  rows: StoredRow[];
  /** Stream position of the newest change applied (first: the history's own cursor). */
  cursor: RowId | null;
  loaded: boolean;
  /** The stream's changes are known to follow on from `cursor`. */
  joined: boolean;
  filling: boolean;
  pending: StoredChange[];
  received: number;
}

/**
 * Snapshot rows as changes: inserts in table mode; in events mode the table's current rows, each
 * replacing (or adding) the row with its key.
 */
function asChanges(rows: StoredRow[], keyColumn: string, mode: "table" | "events"): StoredChange[] {
  return rows.map((r) => ({ ...r, type: mode === "events" ? ("update" as const) : ("insert" as const), key: (r.data[keyColumn] as RowId | undefined) ?? r.id }));
}

/** A query with its template variables replaced; `entities` absent = every entity. */
type ResolvedQuery = NomnomQuery & { entities?: string[] };

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

  /**
   * Replaces template variables in the entity. A multi-value variable, or one set to "All", stands for
   * each of its values; "All" with a custom all-value of `*` or `$__all` stands for every entity.
   */
  private interpolate(query: NomnomQuery, scopedVars: ScopedVars): ResolvedQuery {
    const resolved: ResolvedQuery = { ...query, queryType: query.queryType ?? "live" };
    if (!query.entity) return resolved;
    const replaced = getTemplateSrv().replace(query.entity, scopedVars, (value: unknown) => (Array.isArray(value) ? value.map(String).join(MULTI_SEPARATOR) : String(value)));
    const names = [...new Set(replaced.split(MULTI_SEPARATOR).map((n) => n.trim()))].filter((n) => n !== "");
    if (names.length === 0 || names.some((n) => n === "$__all" || n === "*")) return { ...resolved, entity: undefined };
    return { ...resolved, entity: names.join(", "), entities: names };
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
  private withEntities(q: ResolvedQuery, key: string, sub: { next(r: DataQueryResponse): void; complete(): void }, life: Lifetime, start: (infos: EntityInfo[], stats: EntityStatsMap | null) => void): void {
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

  private statsFor(name: string, initial: EntityStatsMap | null) {
    return this.live.latestStats?.stats[name] ?? initial?.[name] ?? null;
  }

  private respond(key: string, data: DataQueryResponse["data"], errors: DataQueryError[]): DataQueryResponse {
    const state = this.live.state;
    const all = state.status === "error" ? [...errors, { message: state.message ?? "connection failed" }] : errors;
    return { key, data, state: all.length ? LoadingState.Error : LoadingState.Streaming, ...(all.length ? { errors: all } : {}) };
  }

  // ── live rows ───────────────────────────────────────────────────────────────────────────────

  private liveStream(q: ResolvedQuery, key: string): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      const watched: Array<{ info: EntityInfo; rows: () => StoredRow[]; ready: () => boolean; error: () => string | null; problem: () => string | null; received: () => number }> = [];
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
              const meta: NomnomFrameMeta = { kind: "live", entity: entityMeta(w.info), stats: liveStats(this.statsFor(w.info.name, initialStats), w.rows()), connection: state, received: w.received() };
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

  // ── statistics ──────────────────────────────────────────────────────────────────────────────

  private statsStream(q: ResolvedQuery, key: string): Observable<DataQueryResponse> {
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

  private rateStream(q: ResolvedQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
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
   * the frame keeps growing from the entity's live stream, joined before the history is read. The
   * stream may begin after the history's `cursor` (a snapshot holds only the newest max_records rows),
   * so each time it starts over the rows between are read from `/records` before its changes are
   * applied: no gap, and since only changes past the cursor apply, no duplicate.
   */
  private historyStream(q: ResolvedQuery, key: string, range: TimeRange | undefined): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((sub) => {
      const life = new Lifetime();
      const client = this.live;
      const fail = (e: unknown) => {
        if (life.stopped) return;
        sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: explain(e, this.backendUrl), refId: q.refId }] });
        sub.complete();
        life.stop();
      };
      this.withEntities(q, key, sub, life, (infos) => {
        const usable = infos.filter((e) => e.timestamp);
        if (q.entity && usable.length === 0) {
          sub.next({ key, state: LoadingState.Error, data: [], errors: [{ message: `Entity "${q.entity}" has no timestamp column, so it has no history by time: set \`timestamp:\` for it in the backend's YAML.`, refId: q.refId }] });
          sub.complete();
          return;
        }
        const follow = !range || range.raw.to === "now" || Math.abs(range.to.valueOf() - Date.now()) < 10_000;
        const limit = Math.max(1, q.limit ?? HISTORY_DEFAULT_LIMIT);
        const state = new Map<string, HistoryState>();
        const emit = throttle(
          () => {
            if (![...state.values()].every((s) => s.loaded)) return;
            const notices = follow ? connectionNotices(client.state) : [];
            const frames = usable.map((info) => {
              const s = state.get(info.name)!;
              const meta: NomnomFrameMeta = { kind: "history", entity: entityMeta(info), connection: client.state, received: s.received };
              return rowsFrame(info, s.rows, q.refId, selectedFields(info, q.fields), meta, notices);
            });
            sub.next(follow ? this.respond(key, frames, []) : { key, data: frames, state: LoadingState.Done });
          },
          EMIT_EVERY_MS,
          life,
        );
        for (const info of usable) {
          const s: HistoryState = { rows: [], cursor: null, loaded: false, joined: false, filling: false, pending: [], received: 0 };
          state.set(info.name, s);
          // Applies what the stream brought, first reading from /records any rows between the cursor and
          // the stream's first change past it, whenever the stream (re)started with a snapshot.
          const drain = async () => {
            if (!s.loaded || s.filling) return;
            s.filling = true;
            try {
              while (s.pending.length > 0 && !life.stopped) {
                const first = s.pending.find((c) => idAfter(c.id, s.cursor));
                if (!first) {
                  s.pending.length = 0;
                  break;
                }
                if (!s.joined && client.mode === "table") {
                  const between = await this.readBetween(info, s.cursor, first.id, limit);
                  if (life.stopped) return;
                  s.cursor = applyToRows(s.rows, between, s.cursor, limit, info.key).cursor;
                }
                s.joined = true;
                const changes = s.pending.splice(0);
                const { cursor, applied } = applyToRows(s.rows, changes, s.cursor, limit, info.key);
                s.cursor = cursor;
                s.received += applied.length;
              }
              emit();
            } catch (e) {
              fail(e);
            } finally {
              s.filling = false;
            }
            if (s.pending.length > 0) void drain();
          };
          if (follow) {
            const { stop } = client.watch(info, {
              // A snapshot starts the stream over: its rows past the cursor may not follow on from it.
              snapshot: (rows) => {
                s.joined = false;
                s.pending.push(...asChanges(rows, info.key, client.mode));
                void drain();
              },
              append: (changes) => {
                s.pending.push(...changes);
                void drain();
              },
            });
            life.add(stop);
          }
          void this.readHistory(info, range, follow, limit).then(({ rows, cursor }) => {
            if (life.stopped) return;
            s.rows = rows;
            s.cursor = cursor;
            s.loaded = true;
            // A stream shared with another query may have held rows before this one joined: they count too.
            const held = client.streams.get(info.name);
            if (follow && held && s.pending.length === 0 && held.rows.length > 0) {
              s.joined = client.mode === "events" || held.rows.some((r) => !idAfter(r.id, cursor));
              s.pending.push(...asChanges(held.rows, info.key, client.mode));
            }
            emit();
            void drain();
          }, fail);
        }
        if (follow) life.add(client.onStatus(emit));
        if (usable.length === 0) sub.next({ key, state: LoadingState.Done, data: [] });
      });
      return () => life.stop();
    });
  }

  /** The newest `limit` rows of the time range (to "now" when following), ascending, and the stream position they reach. */
  private readHistory(info: EntityInfo, range: TimeRange | undefined, follow: boolean, limit: number): Promise<{ rows: StoredRow[]; cursor: RowId | null }> {
    return this.readNewest(info, { ...(range ? { from: range.from.toISOString() } : {}), ...(range && !follow ? { to: range.to.toISOString() } : {}) }, limit);
  }

  /**
   * The rows after `after` and before `before`, ascending, at most the newest `limit` of them (older
   * ones would fall off the frame anyway), as inserts.
   */
  private async readBetween(info: EntityInfo, after: RowId | null, before: RowId, limit: number): Promise<StoredChange[]> {
    const { rows } = await this.readNewest(info, {}, limit, { before, after });
    return rows.map((r) => ({ ...r, type: "insert" as const, key: r.id }));
  }

  /**
   * Pages `/records` newest first (`before_id`), returning at most `limit` rows ascending; with `after`,
   * it stops at the first row at or below it.
   */
  private async readNewest(info: EntityInfo, query: { from?: string; to?: string }, limit: number, bounds: { before?: RowId; after?: RowId | null } = {}): Promise<{ rows: StoredRow[]; cursor: RowId | null }> {
    const pages: StoredRow[][] = [];
    let total = 0;
    let before = bounds.before;
    let cursor: RowId | null = null;
    for (;;) {
      const page = await this.api.records(info.name, {
        ...query,
        ...(before !== undefined ? { before_id: String(before) } : {}),
        limit: Math.min(HISTORY_PAGE, limit - total),
      });
      if (pages.length === 0) cursor = page.cursor === null ? null : normaliseId(page.cursor);
      const rows = page.records.map((r) => ({ id: normaliseId(r[info.key] as RowId), data: r }));
      const fresh = bounds.after === undefined ? rows : rows.filter((r) => idAfter(r.id, bounds.after));
      pages.unshift(fresh);
      total += fresh.length;
      if (fresh.length < rows.length || !page.has_more || rows.length === 0 || total >= limit) break;
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
        // Grafana does not tell the browser whether a secure field is set, so both cases are named.
        return {
          status: "error",
          message: `The backend at ${url} requires a token and did not accept this datasource's (${err.message}): the Token field is empty or holds a token that is not among its server.auth_tokens. Paste one of them into the Token field and save.`,
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
      // The ticket is a REST call through Grafana: its failure is not the browser's WebSocket.
      if (e instanceof ApiError) return { status: "error", message: `The backend at ${url} answered /api/health but refused a WebSocket ticket: ${explain(e, url)}` };
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
