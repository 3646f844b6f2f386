/** What went wrong, in words a Grafana user can act on. */
import { API_PREFIX } from "../../contract/index.ts";
import { ApiError } from "../client/api.ts";
import type { ConnectionState } from "../shared/types.ts";
import type { QueryResultMetaNotice } from "@grafana/data";

export function explain(e: unknown, backendUrl: string | undefined): string {
  const where = backendUrl ? ` at ${backendUrl}` : "";
  if (e instanceof ApiError) {
    switch (e.kind) {
      case "unreachable":
        return `Cannot reach the nomnom-live backend${where} (${e.message}). Check that it is running and that the URL in the datasource settings is the address Grafana's server reaches it at.`;
      case "unauthorized":
        return `The nomnom-live backend${where} refused the token (HTTP ${e.status}: ${e.message}). Paste one of its server.auth_tokens into the datasource's Token field and save.`;
      case "not_found":
        return `The backend${where} answered 404 (${e.message}). Is the URL the base address of a nomnom-live backend (without ${API_PREFIX})?`;
      default:
        return `The nomnom-live backend${where} answered HTTP ${e.status ?? "?"}: ${e.message}`;
    }
  }
  return e instanceof Error ? e.message : String(e);
}

/** Panel-header notices for a connection that is not healthy. */
export function connectionNotices(state: ConnectionState): QueryResultMetaNotice[] {
  if (state.status === "reconnecting") return [{ severity: "warning", text: `Reconnecting to nomnom-live (attempt ${state.attempt}): ${state.message ?? ""}` }];
  if (state.status === "error") return [{ severity: "error", text: state.message ?? "the connection to nomnom-live failed" }];
  return [];
}
