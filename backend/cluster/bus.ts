/**
 * The replicas' bus: a NATS connection (`cluster.bus`) over which the poller of each entity publishes
 * what it polled and the other replicas receive it. Plain NATS publish/subscribe — at most once: a
 * message may be lost (a reconnect, a slow consumer), and the followers tell by the positions in the
 * messages (bus-message.ts) and read what they missed from the database. So the bus needs no
 * persistence, and JetStream is not used.
 *
 * The connection is made in the background and remade for as long as the replica runs: a replica
 * whose bus is down still serves its clients, reading the database itself (elected-poller.ts). The
 * client pings every couple of seconds, so a bus that went silent is noticed within seconds, not the
 * default minutes. The only module that imports the NATS client.
 */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "../log.ts";

export type BusState = "connected" | "down";

/** NATS's own default maximum payload; the server's, once connected, is used instead. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export class ClusterBus {
  private nc: NatsConnection | null = null;
  private closed = false;
  private readonly subscriptions: { subject: string; handler: (subject: string, data: Uint8Array) => void }[] = [];
  private readonly stateListeners: ((state: BusState) => void)[] = [];
  state: BusState = "down";
  /** Times the connection was lost since start. */
  drops = 0;
  lastError: string | null = null;

  constructor(
    /** `cluster.bus`: one URL or several, comma-separated. */
    readonly servers: string,
    private readonly replica: string,
    private readonly log: Logger,
  ) {}

  /** Connects in the background; resolves at once. */
  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    let nc: NatsConnection | null = null;
    while (!nc && !this.closed) {
      try {
        nc = await connect({
          servers: this.servers.split(",").map((s) => s.trim()),
          name: `nomnom-live ${this.replica}`,
          // A replica never needs what it published itself.
          noEcho: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 2000,
          maxPingOut: 2,
        });
      } catch (e) {
        if (this.lastError === null) this.log.warn("cluster.bus: cannot connect; this replica reads the database itself meanwhile, and keeps trying", { error: (e as Error).message });
        this.lastError = (e as Error).message;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (!nc) return;
    if (this.closed) {
      await nc.close().catch(() => {});
      return;
    }
    this.nc = nc;
    for (const s of this.subscriptions) this.listen(s.subject, s.handler);
    this.setState("connected");
    this.log.info("cluster.bus: connected", { server: nc.getServer() });
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "staleConnection") {
        if (this.state === "connected") this.drops++;
        this.lastError = s.type === "disconnect" ? `disconnected from ${s.server}` : "the server stopped answering pings";
        this.setState("down");
        this.log.warn("cluster.bus: lost; this replica reads the database itself until it is back", { reason: this.lastError });
      } else if (s.type === "reconnect") {
        this.setState("connected");
        this.log.info("cluster.bus: connected again", { server: s.server });
      } else if (s.type === "slowConsumer") {
        // Messages were dropped for us: the followers see a hole in the positions and read the database.
        this.log.warn("cluster.bus: this replica fell behind the bus; what it missed is read from the database", { pending: s.pending });
      }
    }
    this.setState("down");
  }

  private setState(state: BusState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }

  onState(listener: (state: BusState) => void): void {
    this.stateListeners.push(listener);
  }

  /** The largest message the server takes. */
  get maxPayload(): number {
    return this.nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Sends without waiting; false when it could not be (no connection, too large). Lost messages are the followers' to notice. */
  publish(subject: string, data: Uint8Array): boolean {
    if (!this.nc || this.state !== "connected") return false;
    try {
      this.nc.publish(subject, data);
      return true;
    } catch (e) {
      this.log.debug("cluster.bus: publish failed", { subject, error: (e as Error).message });
      return false;
    }
  }

  /** Receives every message on `subject` (wildcards allowed), from now on and across reconnects. */
  subscribe(subject: string, handler: (subject: string, data: Uint8Array) => void): void {
    this.subscriptions.push({ subject, handler });
    if (this.nc) this.listen(subject, handler);
  }

  private listen(subject: string, handler: (subject: string, data: Uint8Array) => void): void {
    this.nc!.subscribe(subject, {
      callback: (err, msg) => {
        if (err) this.log.warn("cluster.bus: subscription failed", { subject, error: err.message });
        else handler(msg.subject, msg.data);
      },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const nc = this.nc;
    this.nc = null;
    if (nc) {
      // Whatever this replica published last (its resignations) goes out before the connection ends.
      await Promise.race([nc.flush().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
      await nc.close().catch(() => {});
    }
  }
}
