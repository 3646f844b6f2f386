/** Our figures as ratios to each baseline and limit of the same scenario. */
import type { Ratio, TargetKey, TargetResult } from "./results.ts";

/** nomnom-live in every setting: each is compared with every other target of its scenario. */
export const OURS: TargetKey[] = ["nomnom-row", "nomnom-batch", "nomnom-row-notify", "nomnom-batch-notify", "nomnom-row-wal", "nomnom-batch-wal"];

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b <= 0) return null;
  const r = a / b;
  return Math.round(r * (r < 10 ? 100 : 10)) / (r < 10 ? 100 : 10);
}

function diff(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : Math.round((a - b) * 10) / 10;
}

/**
 * Server CPU seconds per 1,000 deliveries, both over the writer's window: the CPU it spent then, for
 * the deliveries received then (results from before that was recorded count every delivery).
 */
export function cpuPerKDelivery(r: TargetResult): number | null {
  const deliveries = r.deliveries_in_window ?? r.deliveries;
  if (r.server?.cpu_s == null || !deliveries) return null;
  return (r.server.cpu_s / deliveries) * 1000;
}

export function ratios(results: TargetResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ours of results.filter((r) => OURS.includes(r.target) && r.status !== "failed")) {
    for (const other of results.filter((r) => !OURS.includes(r.target) && r.status !== "failed")) {
      out.push({
        ours: ours.target,
        to: other.target,
        latency_p50: ratio(ours.latency_ms?.p50, other.latency_ms?.p50),
        latency_p99: ratio(ours.latency_ms?.p99, other.latency_ms?.p99),
        latency_p50_diff_ms: diff(ours.latency_ms?.p50, other.latency_ms?.p50),
        latency_p99_diff_ms: diff(ours.latency_ms?.p99, other.latency_ms?.p99),
        delivered_per_s: other.target === "notify-floor" ? null : ratio(ours.delivered_rows_per_s, other.delivered_rows_per_s),
        server_cpu_per_delivery: ratio(cpuPerKDelivery(ours), cpuPerKDelivery(other)),
        server_peak_rss: ratio(ours.server?.peak_rss_mb, other.server?.peak_rss_mb),
        db_queries_per_s: ratio(ours.db?.queries_per_s, other.db?.queries_per_s),
      });
    }
  }
  return out;
}
