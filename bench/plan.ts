/**
 * What `npm run bench` runs. The full plan takes about 20 minutes (a 5-minute soak included); `--quick`
 * runs every target and every kind of figure on small numbers in under two minutes.
 */
import type { TargetKey, Workload } from "./harness/results.ts";

export interface Scenario {
  id: string;
  title: string;
  workload: Workload;
  targets: TargetKey[];
}

export interface SearchPlan {
  target: TargetKey;
  intervalMs: number;
  durationMs: number;
  p99LimitMs: number;
  /** Client counts tried, each with rates stepped up until a run fails. */
  clients: number[];
  rates: number[];
}

export interface SoakPlan {
  target: TargetKey;
  workload: Workload;
  sampleMs: number;
}

export interface Plan {
  scenarios: Scenario[];
  search: SearchPlan[];
  soak: SoakPlan | null;
  /** Drain limit after the writer stops. */
  maxDrainMs: number;
  /** Limit on the wait for the clients to go quiet once the server is frozen. */
  settleLimitMs: number;
  /** The drain ends once no frame arrived for this long (default: 2 s or 3 poll intervals). */
  stallMs?: number;
  /** After the freeze, the clients count as quiet after this long without a frame (default 1 s). */
  quietMs?: number;
}

/** Every design and both limits. */
export const ALL_TARGETS: TargetKey[] = ["nomnom-row", "nomnom-batch", "seed000", "seed001", "notify-floor", "ws-ceiling-row", "ws-ceiling-batch"];

const writer = { writers: 4, tickMs: 10, maxRowsPerTx: 200 };

function w(rate: number, clients: number, intervalMs: number, durationMs: number): Workload {
  return { rate, clients, intervalMs, durationMs, ...writer };
}

export function fullPlan(): Plan {
  return {
    scenarios: [
      // Light enough for the seed designs to keep up, so their cursors run at the head of the table, where out-of-order commits cost them rows.
      { id: "200-100c-100ms", title: "200 inserts/s × 100 clients, poll interval 100 ms (within the seed designs' capacity)", workload: w(200, 100, 100, 20_000), targets: ALL_TARGETS },
      { id: "1k-100c-500ms", title: "1,000 inserts/s × 100 clients, poll interval 500 ms (the seeds' default)", workload: w(1000, 100, 500, 20_000), targets: ALL_TARGETS },
      { id: "1k-100c-100ms", title: "1,000 inserts/s × 100 clients, poll interval 100 ms", workload: w(1000, 100, 100, 20_000), targets: ALL_TARGETS },
      { id: "5k-1000c-500ms", title: "5,000 inserts/s × 1,000 clients, poll interval 500 ms", workload: w(5000, 1000, 500, 15_000), targets: ALL_TARGETS },
    ],
    search: [
      { target: "nomnom-batch", intervalMs: 100, durationMs: 10_000, p99LimitMs: 250, clients: [100, 1000], rates: [1000, 2000, 5000, 10_000, 20_000] },
      { target: "nomnom-row", intervalMs: 100, durationMs: 10_000, p99LimitMs: 250, clients: [100, 1000], rates: [1000, 2000, 5000] },
    ],
    soak: { target: "nomnom-row", workload: w(1000, 100, 500, 300_000), sampleMs: 5_000 },
    maxDrainMs: 10_000,
    settleLimitMs: 15_000,
  };
}

export function quickPlan(): Plan {
  return {
    scenarios: [{ id: "quick-500-20c-100ms", title: "500 inserts/s × 20 clients, poll interval 100 ms (quick)", workload: w(500, 20, 100, 4_000), targets: ALL_TARGETS }],
    search: [{ target: "nomnom-batch", intervalMs: 100, durationMs: 3_000, p99LimitMs: 250, clients: [20], rates: [500, 1000] }],
    soak: { target: "nomnom-row", workload: w(500, 20, 100, 15_000), sampleMs: 1_000 },
    maxDrainMs: 5_000,
    settleLimitMs: 5_000,
  };
}
