/**
 * A follower's side of the bus for one poll loop: the poller's messages applied in order, each moving
 * the follower's position from where it stands to the message's `to`.
 *
 * A message whose `prev` is past the follower's position means messages were lost (NATS delivers at
 * most once; a reconnect or a slow consumer drops some). The rows in between are then read from the
 * database — `pollAfter` from the position, up to `prev` — before the message is applied. Every
 * position the poller published is settled (no key at or below it can still commit), so that read
 * returns exactly the rows the lost messages carried. Messages arriving meanwhile wait their turn; when
 * too many wait, only the newest is kept, and the read reaches it.
 *
 * The first message a follower hears gives it its start: the message's `prev`, a position the poller
 * settled. A follower thus starts without a query of its own.
 */
import type { Row } from "../../contract/index.ts";
import { parseRowId } from "../../contract/index.ts";
import type { Dialect, TableRef } from "../db/dialect.ts";
import type { Logger } from "../log.ts";
import type { BusMessage } from "./bus-message.ts";

/** Messages waiting while a read from the database runs; past this only the newest is kept. */
const MAX_WAITING = 1000;

export interface FollowOptions {
  entity: string;
  table: TableRef;
  dialect: Dialect;
  batchSize: number;
  log: Logger;
  /** The follower's position (null until it has one). */
  position(): bigint | null;
  /** True once the follower reads the database by itself (or stopped): messages wait, reads stop. */
  aborted(): boolean;
  /** Rows after the position up to `to`, ascending; the position becomes `to`. */
  deliver(to: bigint, rows: Row[], keys: bigint[]): void;
  /** Rows committed late, below the position. */
  late(rows: Row[], keys: bigint[]): void;
  /** A read from the database filled a hole. */
  replayed(): void;
}

export class Follow {
  private queue: BusMessage[] = [];
  private draining = false;

  constructor(private readonly o: FollowOptions) {}

  push(m: BusMessage): void {
    this.queue.push(m);
    if (this.queue.length > MAX_WAITING) this.queue = this.queue.slice(-1);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.o.aborted()) await this.apply(this.queue.shift()!);
    } finally {
      this.draining = false;
    }
  }

  private async apply(m: BusMessage): Promise<void> {
    if (m.kind === "resign") return;
    if (m.kind === "late") {
      if (this.o.position() !== null) this.o.late(m.rows, m.keys);
      return;
    }
    const [prev, to] = m.kind === "beat" ? [m.position, m.position] : [m.prev, m.to];
    if (prev === null || to === null) return; // the poller is alive, its start not settled yet
    if (this.o.position() === null) this.o.deliver(prev, [], []);
    if (to <= this.o.position()!) return; // already here: a message heard twice, or a former poller's
    if (prev > this.o.position()! && !(await this.readUpTo(prev))) return;
    const pos = this.o.position()!;
    if (m.kind === "beat") return;
    const from = m.keys.findIndex((k) => k > pos);
    this.o.deliver(to, from < 0 ? [] : m.rows.slice(from), from < 0 ? [] : m.keys.slice(from));
  }

  /** Reads the rows after the position up to `target` from the database; false when aborted first. */
  private async readUpTo(target: bigint): Promise<boolean> {
    const { table, dialect, batchSize } = this.o;
    for (let attempt = 0; ; attempt++) {
      try {
        while (this.o.position()! < target) {
          const rows = await dialect.pollAfter(table, this.o.position()!, batchSize);
          if (this.o.aborted()) return false;
          const keys = rows.map((r) => parseRowId(r[table.key]));
          let n = 0;
          while (n < keys.length && keys[n]! <= target) n++;
          // A full batch entirely below the target: more rows may follow it.
          const reached = rows.length >= batchSize && n === rows.length && keys[n - 1]! < target ? keys[n - 1]! : target;
          this.o.deliver(reached, rows.slice(0, n), keys.slice(0, n));
        }
        this.o.replayed();
        return true;
      } catch (e) {
        if (attempt === 0) this.o.log.warn("cluster: could not read what the bus lost from the database; retrying", { entity: this.o.entity, error: e instanceof Error ? e.message : String(e) });
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
        if (this.o.aborted()) return false;
      }
    }
  }
}
