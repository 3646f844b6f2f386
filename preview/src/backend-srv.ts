/**
 * Grafana's BackendSrv as the preview (and the plugin's jest tests) provide it: `fetch()` with the same
 * response and error shapes, over the browser's fetch. In Grafana, requests to `<datasource url>/api/...`
 * go through the data proxy; here the datasource's url is the backend itself.
 */
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from "@grafana/runtime";
import { Observable } from "rxjs";

function withParams(url: string, params: BackendSrvRequest["params"]): string {
  if (!params) return url;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) if (v !== undefined && v !== null) search.set(k, String(v));
  const q = search.toString();
  return q ? `${url}${url.includes("?") ? "&" : "?"}${q}` : url;
}

export class PreviewBackendSrv {
  constructor(private readonly fetchImpl: typeof fetch = (...a) => globalThis.fetch(...a)) {}

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((sub) => {
      const controller = new AbortController();
      const method = (options.method ?? "GET").toUpperCase();
      const headers: Record<string, string> = { Accept: "application/json", ...(options.headers as Record<string, string> | undefined) };
      let body: string | undefined;
      if (options.data !== undefined && method !== "GET") {
        body = typeof options.data === "string" ? options.data : JSON.stringify(options.data);
        headers["Content-Type"] ??= "application/json";
      }
      this.fetchImpl(withParams(options.url, options.params), { method, headers, body, signal: controller.signal, credentials: "same-origin" })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text */
          }
          const response = { data: data as T, status: res.status, statusText: res.statusText, ok: res.ok, headers: res.headers, redirected: res.redirected, type: res.type, url: res.url, config: options };
          if (!res.ok) {
            const error: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
            sub.error(error);
            return;
          }
          sub.next(response);
          sub.complete();
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          const error: FetchError = { status: 0, statusText: "network error", data: { message: e instanceof Error ? e.message : String(e) }, config: options };
          sub.error(error);
        });
      return () => controller.abort();
    });
  }

  private async promise<T>(options: BackendSrvRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => this.fetch<T>(options).subscribe({ next: (r) => resolve(r.data), error: reject }));
  }

  get<T>(url: string, params?: BackendSrvRequest["params"]): Promise<T> {
    return this.promise<T>({ url, params, method: "GET" });
  }

  post<T>(url: string, data?: unknown): Promise<T> {
    return this.promise<T>({ url, data, method: "POST" });
  }

  asBackendSrv(): BackendSrv {
    return this as unknown as BackendSrv;
  }
}
