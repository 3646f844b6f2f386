/**
 * One poll loop (an entity's table, or events mode's changelog) in a cluster of replicas: polled from
 * the database by one replica — the holder of its database lock (db/lease-lock.ts) — and followed by
 * the others over the bus. It stands in for the Poller wherever the backend uses one (mode-stream.ts's
 * PollLoop): the same position, readiness and rows, whichever way they come.
 *
 * - **Poller** (holds the lock): a local Poller reads the database, gap-safe as ever; each poll's rows
 *   go to this replica's clients and, with their positions, onto the bus (bus-message.ts). A beat
 *   follows every BEAT_MS of quiet.
 * - **Follower**: applies the poller's messages. Its position is the last contiguous position it has
 *   received; a message past it (one was lost) is preceded by a read of the rows in between from the
 *   database (follow.ts) — positions the poller published are settled, so that read is exact.
 * - **Alone**: a follower that has heard nothing for SILENCE_MS — its bus is down, or the poller's —
 *   contends for the lock (the poller may be dead: its lock went with its session), and when it loses,
 *   polls the database itself, from its position, until the poller is heard again.
 *
 * Rows and positions only ever move forward together, synchronously, whichever role delivers them, so
 * replays, snapshots and cursors work on a follower exactly as on the poller. A role change never
 * replays: the new role starts from the position the old one reached. When the poller's replica dies,
 * the database releases its lock with its session; the followers notice the silence, one wins the lock
 * and polls on from its own position — rows the dead poller published and it missed are then simply
 * the next rows it reads.
 */
import type { Row } from "../../contract/index.ts";
import type { Poller, PollerOptions } from "../poller/poller.ts";
import type { BusMessage } from "./bus-message.ts";
import { Follow } from "./follow.ts";

/** A quiet poller beats this often, so followers tell quiet from dead. */
export const BEAT_MS = 250;
/** Heard nothing for this long: the poller may be dead, or the bus down. */
export const SILENCE_MS = 1500;
/** A silent follower contends for the lock at most this often. */
export const CONTEND_MS = 1000;
const TICK_MS = 100;

/** What an elected poller needs of its replica's cluster (cluster.ts). */
export interface ElectionHost {
  readonly replica: string;
  /** Takes the lock of `name` if free; false when another replica holds it (or the database does not answer). */
  tryLock(name: string): Promise<boolean>;
  unlock(name: string): void;
  /** Whether this replica's lock session holds the lock now. */
  holds(name: string): boolean;
  /** Publishes one poll's rows, a beat, late rows or a resignation. */
  publish(subject: string, message: BusMessage): void;
  /** Messages for `subject`, and the loss of this replica's locks, go to `poller` from now on. */
  join(subject: string, poller: ElectedPoller): void;
  leave(subject: string): void;
  /** A local Poller, from `startAt` when given (else from the database's settled head). */
  newPoller(options: PollerOptions, startAt: bigint | null): Poller;
  /** This replica became (true) or stopped being (false) the poller of `loop`. */
  elected(loop: string, polling: boolean): void;
  /** A follower read positions it missed from the database. */
  replayed(loop: string): void;
}

const NO_STALL = { reason: (): string | null => null };

export class ElectedPoller {
  private local: Poller | null = null;
  private leading = false;
  private stopped = false;
  private pos: bigint | null = null;
  private readyResolve!: () => void;
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r));
  private readonly follow: Follow;
  private timer: ReturnType<typeof setInterval> | null = null;
  private startedAt = 0;
  private heardAt = -Infinity;
  private publishedAt = 0;
  private contendedAt = -Infinity;
  private contending = false;
  private belledFlag = false;
  /** The replica that last published this loop, as heard (this one while polling). */
  poller: string | null = null;
  /** Milliseconds the last message took from the poller to here. */
  lagMs: number | null = null;

  constructor(
    private readonly o: PollerOptions,
    private readonly host: ElectionHost,
    /** The bus subject and the lock name of this loop. */
    readonly subject: string,
    readonly lockName: string,
  ) {
    this.follow = new Follow({
      table: o.table,
      dialect: o.dialect,
      batchSize: o.batchSize,
      log: o.log,
      entity: o.entity,
      position: () => this.pos,
      // A read from the database stops as soon as this replica reads the database by itself.
      aborted: () => this.stopped || this.local !== null,
      deliver: (to, rows, keys) => this.deliver(to, rows, keys),
      late: (rows, keys) => this.o.onRows(rows, keys, true),
      replayed: () => this.host.replayed(this.o.entity),
    });
  }

  /** The poll loop's name: the entity's (events mode: the changelog's). */
  get loopName(): string {
    return this.o.entity;
  }

  /** Whether this replica polls the loop from the database because it holds the lock. */
  get role(): "poller" | "follower" {
    return this.leading ? "poller" : "follower";
  }

  /** Where a follower's rows come from: the bus, or the database while it is alone. */
  get source(): "bus" | "database" {
    return this.local ? "database" : "bus";
  }

  get position(): bigint | null {
    return this.pos;
  }

  /** When the database last answered the local poller, or the poller was last heard. */
  get lastPollAt(): number | null {
    if (this.local) return this.local.lastPollAt;
    return Number.isFinite(this.heardAt) ? this.heardAt : null;
  }

  get waitingOnGap(): { after: bigint; since: number } | null {
    return this.local?.waitingOnGap ?? null;
  }

  get stall(): { reason(now?: number): string | null } {
    return this.local?.stall ?? NO_STALL;
  }

  get lastError(): string | null {
    return this.local?.lastError ?? null;
  }

  get polls(): number {
    return this.local?.polls ?? 0;
  }

  get belled(): boolean {
    return this.belledFlag;
  }

  set belled(on: boolean) {
    this.belledFlag = on;
    if (this.local) this.local.belled = on;
  }

  isPassed(key: bigint): boolean {
    return this.local?.isPassed(key) ?? false;
  }

  /** A doorbell rang: only a replica reading the database has a poll to bring forward. */
  wake(): void {
    this.local?.wake();
  }

  start(): void {
    this.startedAt = Date.now();
    this.host.join(this.subject, this);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    void this.contend();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.local?.stop();
    this.local = null;
    if (this.leading) {
      this.host.publish(this.subject, { kind: "resign", replica: this.host.replica, at: Date.now() });
      this.host.unlock(this.lockName);
      this.host.elected(this.o.entity, false);
    }
    this.leading = false;
    this.host.leave(this.subject);
  }

  private get silent(): boolean {
    return Date.now() - Math.max(this.heardAt, this.startedAt) > SILENCE_MS;
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (this.leading) {
      if (now - this.publishedAt >= BEAT_MS) this.send({ kind: "beat", replica: this.host.replica, at: now, position: this.pos });
    } else if (this.silent && now - this.contendedAt >= CONTEND_MS) {
      void this.contend();
    }
  }

  /** Asks for the lock: polls when it wins; reads the database alone when it loses and hears nothing. */
  private async contend(): Promise<void> {
    if (this.contending || this.leading || this.stopped) return;
    this.contending = true;
    this.contendedAt = Date.now();
    let won: boolean;
    try {
      won = await this.host.tryLock(this.lockName);
    } finally {
      this.contending = false;
    }
    if (this.stopped) {
      if (won) this.host.unlock(this.lockName);
      return;
    }
    // The lock's session may have been lost between the answer and now: then it is not ours.
    if (won && this.host.holds(this.lockName)) this.lead();
    else if (this.silent && !this.local) {
      this.o.log.info("cluster: the poller of this entity is not heard; reading the database here until it is", { entity: this.o.entity, poller: this.poller ?? "unknown" });
      this.startLocal();
    }
  }

  private lead(): void {
    this.leading = true;
    this.poller = this.host.replica;
    this.lagMs = null;
    this.o.log.info("cluster: this replica polls the entity", { entity: this.o.entity, from: this.pos === null ? "the database's head" : String(this.pos) });
    // Alone until now: the same local poller goes on, its rows now published.
    if (!this.local) this.startLocal();
    this.host.elected(this.o.entity, true);
    this.send({ kind: "beat", replica: this.host.replica, at: Date.now(), position: this.pos });
  }

  /** The lock went with the database session that held it: another replica may poll already. */
  lockLost(reason: string): void {
    if (!this.leading || this.stopped) return;
    this.o.log.warn("cluster: lost the lock of this entity; stopped polling it, following its new poller", { entity: this.o.entity, reason });
    this.leading = false;
    this.local?.stop();
    this.local = null;
    this.heardAt = Date.now();
    this.contendedAt = Date.now();
    this.host.elected(this.o.entity, false);
  }

  private startLocal(): void {
    const poller = this.host.newPoller({ ...this.o, onRows: (rows, keys, late) => this.fromLocal(poller, rows, keys, late) }, this.pos);
    this.local = poller;
    poller.belled = this.belledFlag;
    poller.start();
    void poller.ready.then(() => {
      if (this.local !== poller || this.pos !== null) return;
      this.pos = poller.position;
      this.readyResolve();
      if (this.leading) this.send({ kind: "beat", replica: this.host.replica, at: Date.now(), position: this.pos });
    });
  }

  /** Rows from the local poller, as it delivers them; a stopped one's last poll is dropped (the next source reads them again). */
  private fromLocal(poller: Poller, rows: Row[], keys: bigint[], late?: boolean): void {
    if (this.local !== poller) return;
    const now = Date.now();
    if (late) {
      if (this.leading) this.send({ kind: "late", replica: this.host.replica, at: now, rows, keys });
      this.o.onRows(rows, keys, true);
      return;
    }
    const prev = this.pos;
    const to = keys[keys.length - 1]!;
    this.pos = to;
    if (prev === null) this.readyResolve();
    // Rows before this loop knew its start (never, in practice: readiness comes first): followers read them from the database.
    if (this.leading) this.send(prev === null ? { kind: "beat", replica: this.host.replica, at: now, position: to } : { kind: "rows", replica: this.host.replica, at: now, prev, to, rows, keys });
    this.o.onRows(rows, keys);
  }

  private send(m: BusMessage): void {
    this.publishedAt = m.at;
    this.host.publish(this.subject, m);
  }

  /** A message of this loop's poller from the bus. */
  receive(m: BusMessage): void {
    if (this.stopped || this.leading) return; // a deposed poller's last words: this replica polls now
    const now = Date.now();
    this.heardAt = now;
    this.poller = m.replica;
    this.lagMs = Math.max(0, now - m.at);
    if (m.kind === "resign") {
      this.heardAt = -Infinity;
      this.contendedAt = -Infinity;
      void this.contend();
      return;
    }
    if (this.local) {
      this.o.log.info("cluster: the poller of this entity is heard again; following it", { entity: this.o.entity, poller: m.replica });
      this.local.stop();
      this.local = null;
    }
    this.follow.push(m);
  }

  /** Rows up to `to` (from the bus or read from the database), in order: the position moves with them. */
  private deliver(to: bigint, rows: Row[], keys: bigint[]): void {
    const first = this.pos === null;
    this.pos = to;
    if (first) this.readyResolve();
    if (rows.length === 0) return;
    this.o.metrics.rowsSeen.inc({ entity: this.o.entity }, rows.length);
    this.o.onRows(rows, keys);
  }
}
