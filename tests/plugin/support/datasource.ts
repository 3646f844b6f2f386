/** Datasource instances for tests, wired like the preview wires them (BackendSrv over fetch, no template variables). */
import { LoadingState, type DataFrame, type DataQueryRequest, type DataQueryResponse, type DataSourceInstanceSettings, type PanelData, type TimeRange } from "@grafana/data";
import { setBackendSrv, setTemplateSrv } from "@grafana/runtime";
import type { Observable, Subscription } from "rxjs";
import { PLUGIN_ID } from "../../../contract/index.ts";
import { PreviewBackendSrv } from "../../../preview/src/backend-srv.ts";
import { previewTemplateSrv } from "../../../preview/src/template-srv.ts";
import { NomnomDataSource } from "../../../src/datasource/datasource.ts";
import type { NomnomFrameMeta, NomnomOptions, NomnomQuery } from "../../../src/shared/types.ts";

let uid = 0;
let requests = 0;

/** A query request as a dashboard panel sends it. */
export function request(targets: NomnomQuery[], range?: TimeRange): DataQueryRequest<NomnomQuery> {
  return { requestId: `q${++requests}`, interval: "1s", intervalMs: 1000, range, scopedVars: {}, targets, timezone: "utc", app: "dashboard", startTime: Date.now() } as unknown as DataQueryRequest<NomnomQuery>;
}

/**
 * Grafana's runtime services as the preview provides them. `bearer` stands in for the data proxy's
 * route, which adds `Authorization: Bearer <secureJsonData.token>` to every REST call.
 */
export function installRuntime(bearer?: string): void {
  const fetchImpl: typeof fetch = (input, init = {}) =>
    fetch(input, bearer ? { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${bearer}` } } : init);
  setBackendSrv(new PreviewBackendSrv(fetchImpl).asBackendSrv());
  setTemplateSrv(previewTemplateSrv());
}

export function makeDatasource(url: string, jsonData: Partial<NomnomOptions> = {}, secureJsonFields: Record<string, boolean> = {}): NomnomDataSource {
  const settings = {
    id: ++uid,
    uid: `nomnom-test-${uid}`,
    type: PLUGIN_ID.datasource,
    name: "nomnom-live test",
    url,
    access: "proxy",
    readOnly: false,
    jsonData: { url, ...jsonData },
    secureJsonFields,
    meta: { id: PLUGIN_ID.datasource, name: "nomnom-live", type: "datasource", info: {}, module: "", baseUrl: "" },
  } as unknown as DataSourceInstanceSettings<NomnomOptions>;
  return new NomnomDataSource(settings);
}

/** Records every response of a running query. */
export class Recorder {
  readonly responses: DataQueryResponse[] = [];
  readonly sub: Subscription;

  constructor(obs: Observable<DataQueryResponse>) {
    this.sub = obs.subscribe({ next: (r) => this.responses.push(r) });
  }

  /** The latest response with this key. */
  latest(key?: string): DataQueryResponse | undefined {
    for (let i = this.responses.length - 1; i >= 0; i--) if (!key || this.responses[i]!.key === key) return this.responses[i];
    return undefined;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

export function frameIds(frame: DataFrame | undefined, key = "id"): number[] {
  return (frame?.fields.find((f) => f.name === key)?.values ?? []).map(Number);
}

export function metaOf(frame: DataFrame | undefined): NomnomFrameMeta | undefined {
  return (frame?.meta?.custom as { nomnom?: NomnomFrameMeta } | undefined)?.nomnom;
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function panelData(responses: DataQueryResponse[]): PanelData {
  const byKey = new Map<string, DataQueryResponse>();
  for (const r of responses) byKey.set(r.key ?? "A", r);
  const all = [...byKey.values()];
  return { state: all.some((r) => r.state === LoadingState.Error) ? LoadingState.Error : LoadingState.Streaming, series: all.flatMap((r) => r.data), timeRange: undefined as never };
}
