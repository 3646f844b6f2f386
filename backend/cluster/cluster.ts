/**
 * This replica's part in a cluster (`cluster.bus`): the bus, the database session that holds its
 * locks, and an elected poller (elected-poller.ts) for every poll loop — entities found at start and
 * those discovered later alike, as the polling mode makes each through `pollLoop`. Without
 * `cluster.bus` there is no Cluster, and every replica polls every entity itself, as one process does.
 *
 * Lock names and subjects are the cluster's name and the loop's: replicas of one deployment (one
 * `cluster.name`) share the work, other deployments on the same database and bus do not meet them.
 */
import { hostname } from "node:os";
import type { ClusterHealth, EntityHealth } from "../../contract/rest.ts";
import { ConfigError } from "../config/errors.ts";
import type { Config } from "../config/schema.ts";
import type { Dialect } from "../db/dialect.ts";
import { openLeaseLocks, type LeaseLocks } from "../db/lease-lock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { Poller, type PollerOptions } from "../poller/poller.ts";
import { decodeMessage, encodeMessage, encodeRows, pollSubject, type BusMessage } from "./bus-message.ts";
import type { ClusterBus } from "./bus.ts";
import { ClusterMetrics } from "./cluster-metrics.ts";
import { ElectedPoller, type ElectionHost } from "./elected-poller.ts";

/** `cluster.replica`, or the host name — in a container the backend is process 1 and the host name the container's (a pod's name) — with the process id elsewhere. */
export function replicaName(config: Config): string {
  return config.cluster.replica ?? (process.pid === 1 ? hostname() : `${hostname()}-${process.pid}`);
}

/** What health says of a backend without `cluster.bus`: it polls every entity itself. */
export function soloHealth(config: Config): ClusterHealth {
  return { name: config.cluster.name, replica: replicaName(config), bus: "off", follower_lag_ms: null };
}

/** Room for the subject and protocol framing within the server's maximum payload. */
const FRAMING_BYTES = 1024;

export class Cluster implements ElectionHost {
  private readonly loops = new Map<string, ElectedPoller>();
  private metrics: ClusterMetrics | null = null;

  private constructor(
    readonly name: string,
    readonly replica: string,
    private readonly bus: ClusterBus,
    private readonly locks: LeaseLocks,
    private readonly log: Logger,
  ) {
    locks.onLost((names, reason) => {
      for (const loop of this.loops.values()) if (names.includes(loop.lockName)) loop.lockLost(reason);
    });
  }

  /** Its series on the backend's registry. */
  instrument(metrics: Metrics): void {
    const m = (this.metrics = new ClusterMetrics(metrics, () => [...this.loops.values()].filter((l) => l.role === "follower").map((l) => ({ entity: l.loopName, lagMs: l.lagMs }))));
    m.busUp.set(this.bus.state === "connected" ? 1 : 0);
    this.bus.onState((state) => m.busUp.set(state === "connected" ? 1 : 0));
  }

  /** The cluster of the configuration, or null without `cluster.bus`. */
  static async open(config: Config, dialect: Dialect, log: Logger, source = "configuration"): Promise<Cluster | null> {
    const { bus, name } = config.cluster;
    if (!bus) return null;
    if (dialect.name === "pglite" || !config.database.url) {
      throw new ConfigError(source, [{ path: "cluster.bus", message: "is set, but the database is the embedded PGlite, which serves one process only: give every replica the same database server (database.url)" }]);
    }
    const replica = replicaName(config);
    const locks = await openLeaseLocks(config.database.url);
    log.info("cluster: one replica polls each entity, elected by database locks; the others follow it on the bus", { bus, name, replica });
    // Loaded on demand, like the database drivers: a backend without a bus never loads the NATS client.
    const { ClusterBus } = await import("./bus.ts");
    return new Cluster(name, replica, new ClusterBus(bus, replica, log), locks, log);
  }

  start(): void {
    this.bus.subscribe(`${this.name}.poll.>`, (subject, data) => {
      const m = decodeMessage(data);
      if (m) this.loops.get(subject)?.receive(m);
    });
    this.bus.start();
  }

  /** The polling mode's poll loop for `o`: elected, so only one replica polls it from the database. */
  readonly pollLoop = (o: PollerOptions): ElectedPoller => new ElectedPoller(o, this, pollSubject(this.name, o.entity), `${this.name}/${o.entity}`);

  // ── ElectionHost ───────────────────────────────────────────────────────────────────────────────
  async tryLock(name: string): Promise<boolean> {
    try {
      return await this.locks.tryAcquire(name);
    } catch (e) {
      this.log.debug("cluster: could not ask for a lock", { lock: name, error: (e as Error).message });
      return false;
    }
  }

  holds(name: string): boolean {
    return this.locks.holds(name);
  }

  unlock(name: string): void {
    this.locks.release(name).catch(() => {});
  }

  publish(subject: string, m: BusMessage): void {
    const parts = m.kind === "rows" ? encodeRows(m, this.bus.maxPayload - FRAMING_BYTES) : [encodeMessage(m)];
    for (const p of parts) this.bus.publish(subject, p);
  }

  join(subject: string, poller: ElectedPoller): void {
    this.loops.set(subject, poller);
    this.metrics?.poller.set({ entity: poller.loopName, replica: this.replica }, 0);
  }

  leave(subject: string): void {
    this.loops.delete(subject);
  }

  newPoller(options: PollerOptions, startAt: bigint | null): Poller {
    return new Poller(startAt === null ? options : { ...options, startAt });
  }

  elected(loop: string, polling: boolean): void {
    this.metrics?.poller.set({ entity: loop, replica: this.replica }, polling ? 1 : 0);
  }

  replayed(loop: string): void {
    this.metrics?.replays.inc({ entity: loop });
  }
  // ───────────────────────────────────────────────────────────────────────────────────────────────

  /** What `/api/health` says of an entity's poll loop: whether this replica polls it, and who does. */
  entityHealth(loop: unknown): Pick<EntityHealth, "role" | "poller" | "follows"> {
    if (!(loop instanceof ElectedPoller)) return {};
    return { role: loop.role, ...(loop.poller ? { poller: loop.poller } : {}), ...(loop.role === "follower" ? { follows: loop.source } : {}) };
  }

  health(): ClusterHealth {
    const lags = [...this.loops.values()].filter((l) => l.role === "follower" && l.source === "bus" && l.lagMs !== null).map((l) => l.lagMs!);
    return {
      name: this.name,
      replica: this.replica,
      bus: this.bus.state,
      ...(this.bus.lastError && this.bus.state === "down" ? { bus_error: this.bus.lastError } : {}),
      follower_lag_ms: lags.length > 0 ? Math.max(...lags) : null,
    };
  }

  /** After the poll loops stopped (their resignations published): the bus, then the locks' session. */
  async stop(): Promise<void> {
    await this.bus.close();
    await this.locks.close().catch(() => {});
  }
}
