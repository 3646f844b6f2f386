/**
 * The datasource's connection test (Save & test): each step a dashboard needs, in order — the backend
 * answers /api/health through Grafana's data proxy, accepts the token, watches entities, and lets this
 * browser open the WebSocket — and, for the first that fails, what to fix.
 */
import type { TestDataSourceResponse } from "@grafana/data";
import { API_PREFIX, REST, type EntityInfo } from "../../contract/index.ts";
import { ApiError } from "../client/api.ts";
import { pageOrigin } from "../client/page-url.ts";
import { socketUrl } from "../client/socket-url.ts";
import { explain } from "./messages.ts";
import type { QueryContext } from "./queries/context.ts";

/** What the test needs of its datasource (NomnomDataSource is one). */
export interface HealthContext extends QueryContext {
  /** The backend as the browser reaches it, for the WebSocket. */
  readonly browserUrl: string;
}

const HEALTH = `${API_PREFIX}${REST.health}`;

export async function healthCheck(ctx: HealthContext): Promise<TestDataSourceResponse> {
  const url = ctx.backendUrl;
  if (!url) return { status: "error", message: "Set the backend URL: the address at which Grafana's server reaches nomnom-live, for example http://nomnom-live:8080." };
  let version: string;
  let dialect: string;
  let degraded: string | undefined;
  try {
    const health = await ctx.api.health();
    version = health.version;
    dialect = health.database.dialect;
    if (health.status === "degraded") degraded = health.reason;
  } catch (e) {
    const err = e instanceof ApiError ? e : null;
    if (err?.kind === "unreachable") return { status: "error", message: explain(e, url) };
    return { status: "error", message: `${url} does not answer like a nomnom-live backend: GET ${HEALTH} gave ${explain(e, url)}` };
  }
  let entities: EntityInfo[];
  try {
    entities = await ctx.live.entities(true);
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
    await ctx.live.probe();
  } catch (e) {
    // The ticket is a REST call through Grafana: its failure is not the browser's WebSocket.
    if (e instanceof ApiError) return { status: "error", message: `The backend at ${url} answered ${HEALTH} but refused a WebSocket ticket: ${explain(e, url)}` };
    const wsUrl = socketUrl(ctx.browserUrl, {});
    const origin = pageOrigin() ?? "this Grafana";
    return {
      status: "error",
      message: `The REST API works, but this browser cannot open the WebSocket at ${wsUrl} (${e instanceof Error ? e.message : String(e)}). Set "Browser URL" to the backend's address as browsers reach it, and add ${origin} to the backend's server.cors_origins.`,
    };
  }
  const names = entities.map((e) => e.name).join(", ");
  if (degraded) return { status: "warning", message: `Connected to nomnom-live ${version} (${dialect}), but it reports a problem: ${degraded}. Entities: ${names}.` };
  return { status: "success", message: `Connected to nomnom-live ${version} (${dialect}): ${entities.length} ${entities.length === 1 ? "entity" : "entities"} — ${names}.` };
}
