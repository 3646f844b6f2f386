/**
 * What Grafana's query runner does with a datasource's responses: keeps the latest response per `key`
 * (streaming queries emit many) and hands the panel their frames together as PanelData.
 */
import { LoadingState, type DataQuery, type DataQueryRequest, type DataQueryResponse, type DataSourceApi, type PanelData, type TimeRange } from "@grafana/data";
import { map, type Observable } from "rxjs";

let requestCounter = 0;

export function buildRequest<Q extends DataQuery>(targets: Q[], range: TimeRange): DataQueryRequest<Q> {
  return {
    requestId: `preview-${++requestCounter}`,
    interval: "1s",
    intervalMs: 1000,
    range,
    scopedVars: {},
    targets,
    timezone: "browser",
    app: "dashboard",
    startTime: Date.now(),
  };
}

export function runPanelQuery<Q extends DataQuery>(ds: DataSourceApi<Q>, targets: Q[], range: TimeRange): Observable<PanelData> {
  const packets = new Map<string, DataQueryResponse>();
  const result = ds.query(buildRequest(targets, range));
  const stream = result instanceof Promise ? (null as never) : result;
  return stream.pipe(
    map((packet: DataQueryResponse) => {
      packets.set(packet.key ?? "A", packet);
      const all = [...packets.values()];
      const state = all.some((p) => p.state === LoadingState.Error) ? LoadingState.Error : all.some((p) => p.state === LoadingState.Streaming) ? LoadingState.Streaming : LoadingState.Done;
      const errors = all.flatMap((p) => p.errors ?? (p.error ? [p.error] : []));
      return { state, series: all.flatMap((p) => p.data), errors, timeRange: range };
    }),
  );
}
