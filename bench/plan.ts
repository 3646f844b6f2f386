/**
 * What `npm run bench` runs. The full plan takes about half an hour (a 5-minute soak included);
 * `--quick` runs every kind of target and every kind of figure on small numbers in under two minutes.
 *
 * nomnom-live runs in each `polling.wake` setting — none (adaptive polling, the default configuration
 * where the database offers neither triggers nor replication), notify and wal — beside the seed designs,
 * the two floors (NOTIFY and logical replication: what PostgreSQL itself takes from commit to a
 * listener) and the bare `ws` ceilings (broadcasting at every commit: the latency limit; flushing at
 * the adaptive poller's cadence: the CPU comparison).
 */
import type { TargetKey, Workload } from "./harness/results.ts";
import type { ScaleOutPlan } from "./harness/scale-out.ts";

export interface Scenario {
  id: string;
  title: string;
  workload: Workload;
  targets: TargetKey[];
  /**
   * Targets run `runs` times in all, the extra runs after the others, alternating: on a shared machine
   * one run's CPU figure moves by a fifth from run to run, more than the 1.1× a CPU target allows, so a
   * CPU comparison takes the median of several runs of each side.
   */
  repeat?: { targets: TargetKey[]; runs: number };
}

export interface SearchPlan {
  target: TargetKey;
  intervalMs: number;
  durationMs: number;
  p99LimitMs: number;
  /** Inserts before each step's measured window (Workload.warmupMs). */
  warmupMs?: number;
  /** Client counts tried, each with rates stepped up until a run fails. */
  clients: number[];
  rates: number[];
}

export interface SoakPlan {
  target: TargetKey;
  workload: Workload;
  sampleMs: number;
}

/** Idle queries per second of each setting: a server with no writes, for `durationMs`. */
export interface IdlePlan {
  targets: TargetKey[];
  intervalMs: number;
  durationMs: number;
}

export interface Plan {
  scenarios: Scenario[];
  search: SearchPlan[];
  soak: SoakPlan | null;
  idle?: IdlePlan | null;
  /** Replicas behind HAProxy, with and without the cluster bus (harness/scale-out.ts); `--only scale-out` runs it alone. */
  scaleOut?: ScaleOutPlan | null;
  /** Drain limit after the writer stops. */
  maxDrainMs: number;
  /** Limit on the wait for the clients to go quiet once the server is frozen. */
  settleLimitMs: number;
  /** The drain ends once no frame arrived for this long (default: 2 s or 3 poll intervals). */
  stallMs?: number;
  /** After the freeze, the clients count as quiet after this long without a frame (default 1 s). */
  quietMs?: number;
  /** WebSocket clients per clients process (default 250, run-target.ts). */
  clientsPerProcess?: number;
}

/** The seed comparison: nomnom-live in its default configuration, both seed designs, the NOTIFY floor and the per-commit ceilings. */
export const BASE_TARGETS: TargetKey[] = ["nomnom-row", "nomnom-batch", "seed000", "seed001", "notify-floor", "ws-ceiling-row", "ws-ceiling-batch"];

/** What the doorbells added: nomnom-live woken by NOTIFY and by logical replication, the replication floor, and the cadence-matched ceilings. */
export const WAKE_TARGETS: TargetKey[] = ["nomnom-row-notify", "nomnom-batch-notify", "nomnom-row-wal", "nomnom-batch-wal", "wal-floor", "ws-cadence-row", "ws-cadence-batch"];

/** Every design and every limit. */
export const ALL_TARGETS: TargetKey[] = [
  "nomnom-row",
  "nomnom-row-notify",
  "nomnom-row-wal",
  "nomnom-batch",
  "nomnom-batch-notify",
  "nomnom-batch-wal",
  "seed000",
  "seed001",
  "notify-floor",
  "wal-floor",
  "ws-ceiling-row",
  "ws-ceiling-batch",
  "ws-cadence-row",
  "ws-cadence-batch",
];

const writer = { writers: 4, tickMs: 10, maxRowsPerTx: 200 };

/** The scale-out scenario's bus: the machine's NATS. */
const NATS_URL = process.env.NOMNOM_BENCH_NATS_URL ?? "nats://127.0.0.1:4222";

/** Inserts at the same rate before each measured window: a fresh server and fresh clients pay one-time costs first (Workload.warmupMs). */
const WARMUP_MS = 2_000;

function w(rate: number, clients: number, intervalMs: number, durationMs: number, warmupMs = WARMUP_MS): Workload {
  return { rate, clients, intervalMs, durationMs, ...(warmupMs ? { warmupMs } : {}), ...writer };
}

export function fullPlan(): Plan {
  return {
    scenarios: [
      // Light enough for the seed designs to keep up, so their cursors run at the head of the table, where out-of-order commits cost them rows.
      {
        id: "200-100c-100ms",
        title: "200 inserts/s × 100 clients, poll interval 100 ms (within the seed designs' capacity)",
        workload: w(200, 100, 100, 20_000),
        targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal", "nomnom-batch", "seed000", "seed001", "notify-floor", "wal-floor", "ws-ceiling-row", "ws-cadence-row"],
      },
      // The targets: with a doorbell p50 ≤ 5 ms and p99 ≤ 25 ms; the default configuration (no triggers, no replication) p99 ≤ 100 ms.
      {
        id: "1k-100c-500ms",
        title: "1,000 inserts/s × 100 clients, poll interval 500 ms (the default)",
        workload: w(1000, 100, 500, 20_000),
        targets: ALL_TARGETS,
        repeat: { targets: ["nomnom-row", "ws-cadence-row"], runs: 3 },
      },
      {
        id: "1k-500c-500ms",
        repeat: { targets: ["nomnom-row", "ws-cadence-row"], runs: 3 },
        title: "1,000 inserts/s × 500 clients, poll interval 500 ms (fan-out CPU)",
        workload: w(1000, 500, 500, 20_000),
        targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal", "nomnom-batch-notify", "ws-ceiling-row", "ws-cadence-row", "ws-cadence-batch"],
      },
      {
        id: "5k-1000c-500ms",
        title: "5,000 inserts/s × 1,000 clients, poll interval 500 ms",
        workload: w(5000, 1000, 500, 15_000),
        targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal", "nomnom-batch", "nomnom-batch-notify", "nomnom-batch-wal", "notify-floor", "wal-floor", "ws-ceiling-batch", "ws-cadence-row", "ws-cadence-batch"],
      },
    ],
    search: [
      { target: "nomnom-batch-notify", intervalMs: 500, durationMs: 10_000, warmupMs: WARMUP_MS, p99LimitMs: 150, clients: [100, 1000], rates: [500, 1000, 2000, 5000, 10_000] },
      { target: "nomnom-row-notify", intervalMs: 500, durationMs: 10_000, warmupMs: WARMUP_MS, p99LimitMs: 150, clients: [100, 1000], rates: [500, 1000, 2000, 5000] },
    ],
    // The soak's RSS series starts with the first insert.
    soak: { target: "nomnom-row", workload: w(1000, 100, 500, 300_000, 0), sampleMs: 5_000 },
    idle: { targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal"], intervalMs: 500, durationMs: 10_000 },
    scaleOut: { replicas: [1, 2, 3], clients: 600, rate: 200, intervalMs: 500, durationMs: 10_000, idleMs: 3_000, clientsPerProcess: 250, natsUrl: NATS_URL },
    maxDrainMs: 10_000,
    settleLimitMs: 15_000,
  };
}

export function quickPlan(): Plan {
  return {
    scenarios: [
      {
        id: "quick-500-20c-100ms",
        title: "500 inserts/s × 20 clients, poll interval 100 ms (quick)",
        workload: w(500, 20, 100, 3_000, 500),
        targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal", "nomnom-batch-notify", "seed000", "seed001", "notify-floor", "wal-floor", "ws-ceiling-row", "ws-cadence-row"],
      },
    ],
    search: [{ target: "nomnom-batch-notify", intervalMs: 100, durationMs: 2_500, warmupMs: 500, p99LimitMs: 150, clients: [20], rates: [1000] }],
    soak: { target: "nomnom-row-notify", workload: w(500, 20, 100, 8_000, 0), sampleMs: 1_000 },
    idle: { targets: ["nomnom-row", "nomnom-row-notify", "nomnom-row-wal"], intervalMs: 100, durationMs: 2_000 },
    scaleOut: { replicas: [1, 3], clients: 60, rate: 100, intervalMs: 100, durationMs: 2_000, idleMs: 1_000, clientsPerProcess: 250, natsUrl: NATS_URL },
    maxDrainMs: 4_000,
    settleLimitMs: 4_000,
    stallMs: 1_500,
    quietMs: 500,
  };
}
