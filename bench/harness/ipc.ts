/**
 * Messages between the harness and its child processes (Node IPC with `serialization: "advanced"`, so
 * typed arrays cross as they are). The writer reports commits; the harness relays them to the collector
 * (the clients process, or the LISTEN process of the NOTIFY floor), which matches them to receipts.
 */
import type { PartReport } from "./merge-reports.ts";
import type { LatencySummary } from "./histogram.ts";

/** Wall clock in ms with sub-ms precision; processes on one machine share it. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

// ---- writer ----

export interface WriterInit {
  type: "init";
  dbUrl: string;
  table: string;
  /** Rows per second in total; 0 = as fast as the connections can. */
  rate: number;
  durationMs: number;
  connections: number;
  /** Each connection commits at most once per tick, with every row then due. */
  tickMs: number;
  maxRowsPerTx: number;
  /** ws-ceiling: after COMMIT, push the rows' frames to this TCP port (newline-delimited). */
  push?: { port: number };
}

/** `measureFrom`: the wall time the measured window starts; the writer inserts from now, and until `durationMs` after it. */
export type ToWriter = WriterInit | { type: "start"; measureFrom: number } | { type: "stop" };

export interface Commits {
  type: "commits";
  ids: Float64Array;
  /** Wall clock right after COMMIT returned, per id. */
  times: Float64Array;
}

export interface WriterDone {
  type: "done";
  /** Every row committed, the warm-up's included. */
  rows: number;
  transactions: number;
  /** Rows and transactions committed in the measured window. */
  measured: { rows: number; transactions: number };
  maxId: number;
  /** The measured window: from the end of the warm-up to the last commit. */
  startedAt: number;
  endedAt: number;
  errors: string[];
}

export type FromWriter = { type: "initialised" } | Commits | WriterDone | { type: "fatal"; message: string };

// ---- collector ----

export interface PlantedFault {
  /** Which client misbehaves. */
  client: number;
  /** It ignores its n-th row (1-based)… */
  dropNth: number;
  /** …and records its m-th row twice. */
  duplicateNth: number;
}

export interface CollectorInit {
  type: "init";
  /** WebSocket URL (clients process) or database URL (NOTIFY floor). */
  url: string;
  clients: number;
  /** The global number of this process's first client: the run's clients are spread over processes. */
  offset?: number;
  /** Wait for nomnom-live's `subscribed` message before a client counts as ready (else: open). */
  waitFor: "subscribed" | "open";
  plant?: PlantedFault;
  /** NOTIFY floor: the channel to LISTEN on; replication floor: the publication to subscribe to. */
  channel?: string;
  /** Replication floor: the table whose inserts it subscribes to (schema.table). */
  table?: string;
}

/** Which rows the server under test had passed (read from it once it was frozen). */
export type Passed = { kind: "upTo"; id: number } | { kind: "bitmap"; bits: Uint8Array } | { kind: "all" } | { kind: "none" };

/**
 * How missing rows are judged when the run ends. `holes`: the design sends each client its rows in id
 * order, so a row missing below the highest id a client holds can never arrive — lost. `passed`: rows the
 * server had passed once it was frozen and the clients had gone quiet; for a design that never goes back
 * for a row (the seeds, the limits), a passed row a client lacks is lost. Every other missing row is
 * backlog: not read by the server yet, still queued, or (nomnom-live) owed to a client it is
 * resynchronising from the database.
 */
export interface Judgement {
  holes: boolean;
  passed: Passed;
}

/** `measure-from`: rows committed before this wall time are the warm-up's: judged, but not in the latency figures. */
export type ToCollector = CollectorInit | Commits | { type: "measure-from"; at: number } | { type: "writer-done"; rows: number; maxId: number; startedAt: number; endedAt: number } | { type: "finish"; judgement: Judgement };

export interface ClientFigures {
  client: number;
  received: number;
  lost: number;
  duplicated: number;
  backlog: number;
  /** Ids received that no writer committed. */
  extra: number;
  lagging: number;
  errors: number;
  closed: boolean;
  /** Up to five lost ids, to look them up. */
  lostSample: number[];
}

export interface CollectorReport {
  clientsReady: number;
  deliveries: number;
  /** Deliveries whose receipt fell inside the writer's window. */
  deliveriesInWindow: number;
  lastDeliveryAt: number | null;
  /** Every (row, client) delivery: receipt minus commit. */
  latency: LatencySummary;
  /** Per row: until the first client had it, and until every client had it. */
  latencyFirstClient: LatencySummary;
  latencyAllClients: LatencySummary;
  totals: { lost: number; duplicated: number; backlog: number; extra: number; lagging: number; errors: number; closedClients: number; clientsWithLoss: number };
  /** Clients with any nonzero fault figure (all of them when few). */
  perClient: ClientFigures[];
  unrecognisedFrames: number;
}

export type FromCollector =
  | { type: "ready"; clients: number; failed: number; firstError?: string }
  | { type: "progress"; deliveries: number; complete: boolean; lastDeliveryAt: number | null; /** Since any frame last arrived, measured by the collector itself. */ idleMs: number }
  | { type: "report"; report: PartReport }
  | { type: "fatal"; message: string };
