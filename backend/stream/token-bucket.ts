/**
 * The rate limit on what one client sends: a token bucket that refills at `messagesPerSecond` up to
 * `messagesBurst`, so a client may send a short burst (a reconnect that subscribes and pings at once)
 * but not a sustained flood of messages the server has to parse and answer.
 */

export interface RateLimit {
  readonly messagesPerSecond: number;
  readonly messagesBurst: number;
}

export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    /** Read on every message, so the bucket follows the limits it was given. */
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limit.messagesBurst;
    this.lastRefill = now();
  }

  /** Takes one token for a message; false when the bucket is empty and the message must be refused. */
  take(): boolean {
    const now = this.now();
    const { messagesPerSecond, messagesBurst } = this.limit;
    this.tokens = Math.min(messagesBurst, this.tokens + ((now - this.lastRefill) / 1000) * messagesPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
