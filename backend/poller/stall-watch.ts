/**
 * The watchdog of one poller: whether the database answers its steps (the poll, the writers reading,
 * the look-up of passed keys, the start). A step unanswered for `afterMs` is a stall — reported at once
 * (to `/api/health` and, through the poller, to its clients) without waiting for its deadline; past the
 * deadline the dialect abandons the step and replaces its connection (db/deadline.ts), and the poller
 * retries from its cursor. The stall lasts until a step is answered.
 */
import { QueryTimeoutError } from "../db/deadline.ts";

export class StallWatch {
  private inFlight: { what: string; since: number } | null = null;
  /** The first step of this stall that went unanswered, while the database has not answered since. */
  private unanswered: { what: string; since: number; replaced: boolean } | null = null;

  constructor(
    private readonly entity: string,
    /** How long a step may run before it counts as a stall. */
    private readonly afterMs: number,
    /** Called once a step has run `afterMs` unanswered, with the stall's reason. */
    private readonly onStall: (reason: string) => void,
  ) {}

  /** Runs one database step of the loop under watch. */
  async watch<T>(what: string, work: Promise<T>): Promise<T> {
    const step = { what, since: Date.now() };
    this.inFlight = step;
    // A timer may fire a millisecond before `afterMs` has passed by Date.now(), and another step may have
    // started since: the reason is then this step's own, never none (none would read as "answered").
    const timer = setTimeout(() => this.onStall(this.reason() ?? this.describe(step, Date.now(), false)), this.afterMs);
    if (typeof timer === "object") timer.unref(); // a step outstanding at shutdown must not hold the process
    try {
      return await work;
    } catch (e) {
      if (e instanceof QueryTimeoutError) {
        if (this.unanswered) this.unanswered.replaced = true;
        else this.unanswered = { ...step, replaced: true };
      }
      throw e;
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
  }

  /** The database answered a step: the stall, if any, is over. */
  answered(): void {
    this.unanswered = null;
  }

  /** Why the poller is stalled now — "poll of Order has not answered for 12 s; connection replaced" — or null. */
  reason(now = Date.now()): string | null {
    const running = this.inFlight && now - this.inFlight.since >= this.afterMs ? this.inFlight : null;
    const first = this.unanswered ?? running;
    return first ? this.describe(first, now, this.unanswered?.replaced ?? false) : null;
  }

  private describe(first: { what: string; since: number }, now: number, replaced: boolean): string {
    // Whole seconds gone by, as a clock says them: 1.5 s is "1 s", never more than has passed.
    const seconds = Math.max(1, Math.floor((now - first.since) / 1000));
    return `${first.what} of ${this.entity} has not answered for ${seconds} s${replaced ? "; connection replaced" : ""}`;
  }
}
