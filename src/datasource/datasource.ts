/**
 * The nomnom-live datasource: live rows, statistics, insert rates and history, as streaming responses.
 * This is what Grafana calls: it replaces the template variables of each query and hands it to the
 * stream of its query type (queries/); the connection test is in health.ts.
 *
 * REST goes through Grafana's data proxy (`<instanceSettings.url>/api/...`, the plugin.json route adds
 * the bearer token); rows and statistics arrive over one WebSocket per datasource instance (LiveClient).
 */
import {
  DataSourceApi,
  LoadingState,
  type CoreApp,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from "@grafana/data";
import { getTemplateSrv } from "@grafana/runtime";
import { merge, type Observable, of } from "rxjs";
import type { EntityInfo } from "../../contract/index.ts";
import { BackendApi } from "../client/api.ts";
import { LiveClient } from "../client/live-client.ts";
import { DEFAULT_QUERY, DEFAULT_QUERY_TYPE, type NomnomOptions, type NomnomQuery } from "../shared/types.ts";
import { healthCheck } from "./health.ts";
import type { ResolvedQuery } from "./queries/context.ts";
import { historyStream } from "./queries/history.ts";
import { liveStream } from "./queries/live.ts";
import { rateStream } from "./queries/rate.ts";
import { statsStream } from "./queries/stats.ts";

/** Joins the values of a multi-value or "All" template variable, to be split again (a control character no name has). */
const MULTI_SEPARATOR = "\u001f";

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
    const resolved: ResolvedQuery = { ...query, queryType: query.queryType ?? DEFAULT_QUERY_TYPE };
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
            return statsStream(this, q, key);
          case "rate":
            return rateStream(this, q, key, request.range);
          case "history":
            return historyStream(this, q, key, request.range);
          default:
            return liveStream(this, q, key);
        }
      }),
    );
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return healthCheck(this);
  }
}
