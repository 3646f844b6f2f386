/**
 * Prometheus metrics (prom-client). One registry per backend instance, so several backends can run in
 * one process (tests) without sharing counters. Names are what the generated alert rules query.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export const METRIC = {
  rowsSeen: "nomnom_rows_seen_total",
  clients: "nomnom_clients",
  pollDuration: "nomnom_poll_duration_seconds",
  pollLag: "nomnom_poll_lag_seconds",
  dropped: "nomnom_client_messages_dropped_total",
  resyncs: "nomnom_client_resyncs_total",
  gapsSkipped: "nomnom_gap_keys_skipped_total",
  databaseUp: "nomnom_database_up",
} as const;

/** What the metrics need to know about one watched entity. */
export interface TrackedEntity {
  entity: string;
  /** When its poller last reached the database successfully (epoch ms), or null if it never has. */
  lastPollAt(): number | null;
}

export class Metrics {
  readonly registry = new Registry();
  private tracked: TrackedEntity[] = [];
  private trackedSince = Date.now();

  readonly rowsSeen = new Counter({ name: METRIC.rowsSeen, help: "Rows the poller has seen inserted, per entity.", labelNames: ["entity"], registers: [this.registry] });
  readonly clients = new Gauge({ name: METRIC.clients, help: "Connected WebSocket clients.", registers: [this.registry] });
  readonly pollDuration = new Histogram({
    name: METRIC.pollDuration,
    help: "Time one poll query takes, per entity.",
    labelNames: ["entity"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly pollLag = new Gauge({
    name: METRIC.pollLag,
    help: "Seconds since the last successful poll, per entity (since start when it never succeeded).",
    labelNames: ["entity"],
    registers: [this.registry],
    // Computed at scrape time, so the value is current whether or not anyone asks /api/health.
    collect: () => this.updateLag(),
  });
  readonly dropped = new Counter({
    name: METRIC.dropped,
    help: "Live messages not sent to a client because it was lagging (it is resynchronised from the database) or was closed.",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly resyncs = new Counter({ name: METRIC.resyncs, help: "Client resynchronisations from the database after lagging.", registers: [this.registry] });
  readonly gapsSkipped = new Counter({
    name: METRIC.gapsSkipped,
    help: "Keys the cursor passed as never to appear (rolled back or deleted: reason=ended; open too long: reason=timeout).",
    labelNames: ["entity", "reason"],
    registers: [this.registry],
  });
  readonly databaseUp = new Gauge({ name: METRIC.databaseUp, help: "1 when the last database query succeeded.", registers: [this.registry] });

  constructor() {
    for (const reason of ["lagging", "closed"]) this.dropped.inc({ reason }, 0);
  }

  /**
   * Declares the watched entities. Every per-entity series exists from here on with value 0, so `rate()`
   * sees a counter that starts at zero (not a first sample that hides the first inserts) and an
   * `absent()` alert means the backend is not reporting, never merely "no insert yet".
   */
  track(entities: TrackedEntity[]): void {
    this.tracked = entities;
    this.trackedSince = Date.now();
    for (const { entity } of entities) {
      this.rowsSeen.inc({ entity }, 0);
      this.pollDuration.zero({ entity });
      for (const reason of ["ended", "timeout"]) this.gapsSkipped.inc({ entity, reason }, 0);
    }
    this.updateLag();
  }

  private updateLag(): void {
    const now = Date.now();
    for (const t of this.tracked) this.pollLag.set({ entity: t.entity }, (now - (t.lastPollAt() ?? this.trackedSince)) / 1000);
  }
}
