/**
 * A run's report from its clients processes' shares (collector.ts `part`): the latencies of every
 * delivery, per row until the first and the last client had it, and every client judged — as if one
 * process had held all the clients.
 */
import { Histogram, type HistogramState } from "./histogram.ts";
import type { ClientFigures, CollectorReport } from "./ipc.ts";

/** One clients process's share of a run's report: per-client judgements, and per-row receipts to merge. */
export interface PartReport {
  clients: number;
  clientsReady: number;
  deliveries: number;
  deliveriesInWindow: number;
  lastDeliveryAt: number | null;
  hist: HistogramState;
  /** Rows committed before this wall time are the warm-up's: not in the latency figures. */
  measureFrom: number;
  /** Deliveries owed to this process's ready clients and never made. */
  undelivered: number;
  /** Per row id: its commit time, and among this process's clients its first and last receipt and how many had it. */
  commit: Float64Array;
  first: Float64Array;
  last: Float64Array;
  counts: Uint16Array;
  totals: CollectorReport["totals"];
  perClient: ClientFigures[];
  unrecognisedFrames: number;
}

/** The run's report from every clients process's share: as if one process had held every client. */
export function mergeReports(parts: PartReport[]): CollectorReport {
  const hist = new Histogram();
  for (const p of parts) hist.merge(p.hist);
  const rows = Math.max(0, ...parts.map((p) => p.commit.length));
  const commit = new Float64Array(rows).fill(NaN);
  const first = new Float64Array(rows).fill(NaN);
  const last = new Float64Array(rows).fill(NaN);
  const counts = new Uint32Array(rows);
  for (const p of parts) {
    for (let id = 0; id < p.commit.length; id++) {
      if (!Number.isNaN(p.commit[id]!)) commit[id] = p.commit[id]!;
      if (p.counts[id]! === 0) continue;
      counts[id]! += p.counts[id]!;
      if (!(first[id]! <= p.first[id]!)) first[id] = p.first[id]!;
      if (!(last[id]! >= p.last[id]!)) last[id] = p.last[id]!;
    }
  }
  const ready = parts.reduce((a, p) => a + p.clientsReady, 0);
  const firstH = new Histogram();
  const allH = new Histogram();
  let reachedNone = 0;
  let reachedNotAll = 0;
  const measureFrom = Math.min(...parts.map((p) => p.measureFrom));
  for (let id = 1; id < rows; id++) {
    const ct = commit[id]!;
    if (Number.isNaN(ct) || ct < measureFrom) continue;
    if (counts[id] === 0) {
      reachedNone++;
      reachedNotAll++;
      continue;
    }
    firstH.add(first[id]! - ct);
    if (counts[id]! >= ready) allH.add(last[id]! - ct);
    else reachedNotAll++;
  }
  const totals = { lost: 0, duplicated: 0, backlog: 0, extra: 0, lagging: 0, errors: 0, closedClients: 0, clientsWithLoss: 0 };
  for (const p of parts) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += p.totals[k];
  const clients = parts.reduce((a, p) => a + p.clients, 0);
  const all = parts.flatMap((p) => p.perClient).sort((a, b) => a.client - b.client);
  const faulty = (f: ClientFigures) => f.lost || f.duplicated || f.backlog || f.extra || f.lagging || f.errors || f.closed;
  const perClient = clients <= 10 ? all : all.filter(faulty).slice(0, 10);
  const lastAt = parts.map((p) => p.lastDeliveryAt).filter((t): t is number => t !== null);
  return {
    clientsReady: ready,
    deliveries: parts.reduce((a, p) => a + p.deliveries, 0),
    deliveriesInWindow: parts.reduce((a, p) => a + p.deliveriesInWindow, 0),
    lastDeliveryAt: lastAt.length ? Math.max(...lastAt) : null,
    // Owed deliveries never made rank above all others (clients that never became ready owe nothing).
    latency: hist.summary(parts.reduce((a, p) => a + p.undelivered, 0)),
    latencyFirstClient: firstH.summary(reachedNone),
    latencyAllClients: allH.summary(reachedNotAll),
    totals,
    perClient,
    unrecognisedFrames: parts.reduce((a, p) => a + p.unrecognisedFrames, 0),
  };
}
