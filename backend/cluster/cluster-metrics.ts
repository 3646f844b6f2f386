/**
 * The cluster's Prometheus series, on the backend's registry: which replica polls which entity, the
 * bus, how far behind the followers are, and how often they read from the database what the bus lost.
 */
import { Counter, Gauge } from "prom-client";
import type { Metrics } from "../metrics.ts";

export const CLUSTER_METRIC = {
  poller: "nomnom_entity_poller",
  busUp: "nomnom_cluster_bus_up",
  followerLag: "nomnom_cluster_follower_lag_seconds",
  replays: "nomnom_cluster_replays_total",
} as const;

export class ClusterMetrics {
  readonly poller: Gauge;
  readonly busUp: Gauge;
  readonly followerLag: Gauge;
  readonly replays: Counter;

  constructor(metrics: Metrics, lags: () => { entity: string; lagMs: number | null }[]) {
    const registers = [metrics.registry];
    this.poller = new Gauge({ name: CLUSTER_METRIC.poller, help: "1 while this replica polls the entity from the database (it holds its lock), 0 while it follows another replica over the bus.", labelNames: ["entity", "replica"], registers });
    this.busUp = new Gauge({ name: CLUSTER_METRIC.busUp, help: "1 while this replica is connected to the cluster bus.", registers });
    this.followerLag = new Gauge({
      name: CLUSTER_METRIC.followerLag,
      help: "Per entity this replica follows: seconds the poller's last message took to reach it.",
      labelNames: ["entity"],
      registers,
      collect: () => {
        this.followerLag.reset();
        for (const { entity, lagMs } of lags()) if (lagMs !== null) this.followerLag.set({ entity }, lagMs / 1000);
      },
    });
    this.replays = new Counter({ name: CLUSTER_METRIC.replays, help: "Reads from the database of rows the bus lost, per entity this replica follows.", labelNames: ["entity"], registers });
  }
}
