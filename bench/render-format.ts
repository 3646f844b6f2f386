/** How the bench documents write figures: the targets' short names, numbers, latencies and ratios. */
import type { LatencySummary } from "./harness/histogram.ts";
import type { TargetKey } from "./harness/results.ts";

export const SHORT: Record<TargetKey, string> = {
  "nomnom-row": "nomnom-live, per-row frames",
  "nomnom-batch": "nomnom-live, batch frames",
  "nomnom-row-notify": "nomnom-live, per-row frames, wake: notify",
  "nomnom-batch-notify": "nomnom-live, batch frames, wake: notify",
  "nomnom-row-wal": "nomnom-live, per-row frames, wake: wal",
  "nomnom-batch-wal": "nomnom-live, batch frames, wake: wal",
  seed000: "seed-000 design",
  seed001: "seed-001 design",
  "notify-floor": "NOTIFY floor",
  "wal-floor": "logical-replication floor",
  "ws-ceiling-row": "ws ceiling, per-row",
  "ws-ceiling-batch": "ws ceiling, batch frames",
  "ws-cadence-row": "ws ceiling at poll cadence, per-row",
  "ws-cadence-batch": "ws ceiling at poll cadence, batch frames",
  "ws-plain-row": "plain ws fan-out, per-row",
};

/** nomnom-live's targets by `polling.wake` (none: adaptive polling, the default where no doorbell is available) and frame kind. */
export const BY_WAKE: { wake: "none" | "notify" | "wal"; row: TargetKey; batch: TargetKey; floor: TargetKey | null }[] = [
  { wake: "none", row: "nomnom-row", batch: "nomnom-batch", floor: null },
  { wake: "notify", row: "nomnom-row-notify", batch: "nomnom-batch-notify", floor: "notify-floor" },
  { wake: "wal", row: "nomnom-row-wal", batch: "nomnom-batch-wal", floor: "wal-floor" },
];

export function num(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  return num(x, Math.abs(x) < 10 ? 1 : 0);
}

export function times(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : `${num(x, x < 10 ? 2 : 1)}×`;
}

export function signed(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : `${x > 0 ? "+" : ""}${ms(x)}`;
}

/** A percentile; "∞" when it falls among deliveries that never arrived. */
export function pct(l: LatencySummary | null | undefined, k: "p50" | "p95" | "p99"): string {
  if (l && l[k] === null && l.undelivered > 0) return "∞";
  return ms(l?.[k]);
}

export function lat(l: LatencySummary | null): [string, string, string, string] {
  return [pct(l, "p50"), pct(l, "p95"), pct(l, "p99"), ms(l?.max)];
}

