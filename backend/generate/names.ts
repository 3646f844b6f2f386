/**
 * Fixed names shared by the generated files: datasource uids, the dashboard, metric expressions. The
 * plugin ids come from the plugin's manifests through contract/ (PLUGIN_ID).
 */
import { createHash } from "node:crypto";
import { METRIC } from "../metrics.ts";

export { PLUGIN_ID as PLUGIN } from "../../contract/index.ts";

export const UID = {
  datasource: "nomnom-live",
  prometheus: "nomnom-live-prometheus",
  dashboard: "nomnom-live",
  dashboardFolder: "nomnom-live",
} as const;

export const NAME = {
  datasource: "nomnom-live",
  prometheus: "Prometheus (nomnom-live)",
  dashboard: "nomnom-live",
  dashboardFolder: "nomnom-live",
  /** A folder of its own: Grafana provisions alert rules before dashboards and would otherwise create a same-named folder first. */
  alertFolder: "nomnom-live alerts",
  alertGroup: "nomnom-live insert rate",
  contactPoint: "nomnom-live",
  scrapeJob: "nomnom-live",
} as const;

/** Prometheus alert names (the `alertname` label). */
export const ALERT = {
  high: "NomnomLiveInsertRateHigh",
  low: "NomnomLiveInsertRateLow",
  absent: "NomnomLiveInsertsNotReported",
} as const;

/** A PromQL string literal (entity names hold only letters, digits, _, - and spaces; escaping is belt and braces). */
export function promString(value: string): string {
  return JSON.stringify(value);
}

export function rowsSelector(entity: string): string {
  return `${METRIC.rowsSeen}{entity=${promString(entity)}}`;
}

/** Rows inserted per minute, averaged over `window`: the per-second counter rate times 60, so thresholds stay in the YAML's unit. */
export function perMinuteRate(entity: string, window: string): string {
  return `rate(${rowsSelector(entity)}[${window}]) * 60`;
}

/** A Grafana uid (at most 40 characters of [A-Za-z0-9_-]) for something of an entity: readable, and unique by a hash of the name. */
export function entityUid(prefix: string, entity: string, suffix: string): string {
  const slug = entity.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 20);
  const hash = createHash("sha256").update(entity).digest("hex").slice(0, 6);
  return `${prefix}-${slug}-${hash}-${suffix}`;
}
