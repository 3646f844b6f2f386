/** The shape of a bench results file (bench/results/*.json); the renderer reads only this. */
import type { LatencySummary } from "./histogram.ts";
import type { ClientFigures } from "./ipc.ts";
import type { ScaleOutResult } from "./scale-out.ts";

export type TargetKey =
  | "nomnom-row"
  | "nomnom-batch"
  | "nomnom-row-notify"
  | "nomnom-batch-notify"
  | "nomnom-row-wal"
  | "nomnom-batch-wal"
  | "seed000"
  | "seed001"
  | "notify-floor"
  | "wal-floor"
  | "ws-ceiling-row"
  | "ws-ceiling-batch"
  | "ws-cadence-row"
  | "ws-cadence-batch"
  | "ws-plain-row";

export interface Workload {
  /** Inserts per second in total (0 = as fast as the writers can). */
  rate: number;
  clients: number;
  /** Poll interval of the polling designs. */
  intervalMs: number;
  /** How long the writer inserts, measured. */
  durationMs: number;
  /**
   * Inserts at the same rate before the measured window (default 0). Its rows are delivered and judged
   * like any other (lost, duplicated, backlog), but not in the latency, rate or CPU figures: a fresh
   * process pays one-time costs in its first moments (code not yet optimised, buffers not yet grown),
   * and a run measures the load, not the start. What a quiet database's first row costs is measured
   * on its own (idle.ts, "after quiet").
   */
  warmupMs?: number;
  writers: number;
  tickMs: number;
  maxRowsPerTx: number;
}

export interface ProcessFigures {
  cpu_s: number | null;
  /** CPU over the writer's window, in % of one core. */
  cpu_pct: number | null;
  peak_rss_mb: number | null;
  rss_start_mb?: number | null;
  rss_end_mb?: number | null;
}

export interface TargetResult {
  target: TargetKey;
  label: string;
  status: "ok" | "aborted" | "failed";
  error?: string;
  workload: Workload;
  /** The measured window's inserts; the warm-up's apart (delivered and judged, not in the figures). */
  insert: { target_rate: number; achieved_rate: number; rows: number; transactions: number; duration_s: number; errors: string[]; warmup?: { rows: number; transactions: number; duration_s: number } };
  latency_ms: LatencySummary | null;
  latency_first_client_ms: LatencySummary | null;
  latency_all_clients_ms: LatencySummary | null;
  /** Row deliveries (all clients) received during the writer's window, per second of it. */
  delivered_rows_per_s: number | null;
  deliveries: number | null;
  /** Deliveries received during the writer's window: what the server's CPU over that window paid for. */
  deliveries_in_window?: number | null;
  clients_ready: number;
  /** After the writer: how long deliveries were waited for and why that ended; `settled` = the clients went quiet after the server was frozen, so every missing row is accounted for exactly. */
  drain: { seconds: number; ended: "complete" | "stalled" | "timeout" | "aborted"; settled: boolean };
  correctness: {
    lost: number;
    duplicated: number;
    /** Rows the server had not yet read when the run ended (its throughput, not a loss). */
    backlog: number;
    extra: number;
    clients_with_loss: number;
    lagging_notices: number;
    errors: number;
    closed_clients: number;
    unrecognised_frames: number;
    per_client: ClientFigures[];
  } | null;
  server: ProcessFigures | null;
  /** The clients processes together (CPU in % of one core, summed); `clients_processes` says how many. */
  clients_process: ProcessFigures | null;
  clients_processes?: number;
  /** The busiest clients process's CPU %: near 100 it, not the server, may set the pace. */
  clients_busiest_cpu_pct?: number | null;
  writer_process: ProcessFigures | null;
  db: { queries: number; queries_per_s: number; connections: number; counted: string } | null;
  /** Whole-machine CPU busy % during the writer's window (2 cores = 100 %). */
  machine_busy_pct: number;
  /** nomnom-live's polls per second over the writer's window (its poll-duration count), when it reports them. */
  server_polls_per_s?: number | null;
  /** nomnom-live's own counters at the end (dropped messages, resyncs, skipped keys, polls). */
  server_metrics?: Record<string, number>;
  rss_samples?: [number, number][];
}

/** One of our modes against one comparison target, same scenario: ours ÷ theirs (below 1 = ours is lower). */
export interface Ratio {
  ours: TargetKey;
  to: TargetKey;
  latency_p50: number | null;
  latency_p99: number | null;
  /** ours − theirs, in ms (the useful form against the NOTIFY floor, which is near zero). */
  latency_p50_diff_ms: number | null;
  latency_p99_diff_ms: number | null;
  delivered_per_s: number | null;
  /** Server CPU per 1,000 row deliveries. */
  server_cpu_per_delivery: number | null;
  server_peak_rss: number | null;
  db_queries_per_s: number | null;
}

export interface ScenarioResult {
  id: string;
  title: string;
  workload: Workload;
  results: TargetResult[];
  ratios: Ratio[];
  /** Further runs of some targets (Scenario.repeat), after the others; `results` holds each target's first run. */
  repeats?: TargetResult[];
}

export interface SearchStep {
  clients: number;
  rate: number;
  pass: boolean;
  why: string;
  result: TargetResult;
}

export interface SearchResult {
  target: TargetKey;
  intervalMs: number;
  p99LimitMs: number;
  steps: SearchStep[];
  /** Per client count, the highest rate that passed. */
  best: { clients: number; rate: number | null; p99: number | null }[];
}

export interface SoakResult {
  target: TargetKey;
  result: TargetResult;
  rss: { start_mb: number | null; end_mb: number | null; peak_mb: number | null; slope_mb_per_min: number | null; samples: [number, number][]; fitted_after_s: number };
}

/** A nomnom-live server with clients and no writes: the queries it sends per second while idle. */
export interface IdleResult {
  target: TargetKey;
  intervalMs: number;
  duration_s: number;
  queries: number;
  queries_per_s: number;
  /** One poll per interval: what it sent before adaptive polling and doorbells. */
  interval_per_s: number;
  /**
   * After the count: single rows inserted after quiet spells (each longer than an interval, at a random
   * moment of it), and from COMMIT to a WebSocket client, in ms — what the first row of a burst waits.
   */
  after_quiet_ms?: number[];
  status: "ok" | "failed";
  error?: string;
}

export interface BenchResults {
  version: 1;
  date: string;
  command: string;
  quick: boolean;
  git: string | null;
  machine: { cpu: string; cores: number; ram_gb: number; node: string; postgres: string; os: string; kernel: string; loadavg_at_start: number[] };
  notes: string[];
  /** Drain and settle limits of the plan (ms). */
  settings: { max_drain_ms: number; settle_limit_ms: number; stall_ms: number | null; quiet_ms: number | null };
  scenarios: ScenarioResult[];
  search: SearchResult[];
  soak: SoakResult | null;
  /** Idle queries per second of each nomnom-live setting (absent in files from before it was measured). */
  idle?: IdleResult[];
  /** Replicas behind HAProxy, with and without the cluster bus (scale-out.ts); absent in files from before it was measured. */
  scale_out?: ScaleOutResult | null;
  /** Where the runs' PostgreSQL came from: the bench's own private server, or NOMNOM_BENCH_DATABASE_URL (and a private one for logical replication when that one lacks it). */
  database?: { source: "private" | "given"; wal: "same" | "private" | "unavailable"; note?: string };
  elapsed_s: number;
}
