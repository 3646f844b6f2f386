/**
 * The backend's REST API as the browser reaches it: through Grafana's data proxy (the plugin.json route
 * `api`, which adds the bearer token server-side), i.e. `<instanceSettings.url>/api/...`.
 */
import { getBackendSrv, type FetchError } from "@grafana/runtime";
import { lastValueFrom } from "rxjs";
import { API_PREFIX, REST, recordsPath, type EntityInfo, type EntityStatsMap, type ErrorBody, type HealthResponse, type RecordsQuery, type RecordsResponse, type TicketResponse } from "../../contract/index.ts";

export type ApiErrorKind = "unreachable" | "unauthorized" | "not_found" | "bad_request" | "server";

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type { RecordsQuery } from "../../contract/index.ts";

function isFetchError(e: unknown): e is FetchError {
  return typeof e === "object" && e !== null && "status" in e && "data" in e;
}

/** Turns whatever the fetch failed with into an ApiError that says what is wrong. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isFetchError(e)) {
    const body = e.data as Partial<ErrorBody> & { message?: string } | undefined;
    const ours = body?.error;
    const text = ours?.message ?? body?.message ?? e.statusText ?? "no details";
    const status = e.status;
    // No status, or the data proxy's own gateway errors (no nomnom-live error body): the backend was not reached.
    if (!status || ([502, 503, 504].includes(status) && !ours)) return new ApiError("unreachable", text, status);
    if (status === 401 || status === 403) return new ApiError("unauthorized", text, status, ours?.code);
    if (status === 404) return new ApiError("not_found", text, status, ours?.code);
    if (status < 500) return new ApiError("bad_request", text, status, ours?.code);
    return new ApiError("server", text, status, ours?.code);
  }
  return new ApiError("unreachable", e instanceof Error ? e.message : String(e));
}

export class BackendApi {
  /** `base` is the datasource's `instanceSettings.url` (Grafana's proxy path, or the backend itself in the preview). */
  constructor(private readonly base: string) {}

  private async call<T>(method: "GET" | "POST", path: string, params?: Record<string, string | number>, accept?: (e: FetchError) => T | undefined): Promise<T> {
    try {
      const res = await lastValueFrom(
        getBackendSrv().fetch<T>({ url: `${this.base}${API_PREFIX}${path}`, method, params, showErrorAlert: false, showSuccessAlert: false }),
      );
      return res.data;
    } catch (e) {
      const accepted = isFetchError(e) ? accept?.(e) : undefined;
      if (accepted !== undefined) return accepted;
      throw toApiError(e);
    }
  }

  /** `/api/health`; a degraded backend answers 503 with the same body, which is returned too. */
  health(): Promise<HealthResponse> {
    return this.call<HealthResponse>("GET", REST.health, undefined, (e) => {
      const body = e.data as Partial<HealthResponse> | undefined;
      return e.status === 503 && body?.status === "degraded" ? (body as HealthResponse) : undefined;
    });
  }

  entities(): Promise<EntityInfo[]> {
    return this.call<EntityInfo[]>("GET", REST.entities);
  }

  stats(): Promise<EntityStatsMap> {
    return this.call<EntityStatsMap>("GET", REST.stats);
  }

  records(entity: string, query: RecordsQuery): Promise<RecordsResponse> {
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = v as string | number;
    return this.call<RecordsResponse>("GET", recordsPath(entity), params);
  }

  ticket(): Promise<TicketResponse> {
    return this.call<TicketResponse>("POST", REST.wsTicket);
  }
}
