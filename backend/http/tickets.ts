/**
 * Single-use, short-lived WebSocket tickets. Browsers cannot set headers on a WebSocket, so a client
 * holding the bearer token (server-side, e.g. Grafana's data proxy) trades it for a ticket that the
 * browser puts in the `/ws?ticket=` query. A ticket works once and expires in `ttlMs`.
 *
 * Tickets are signed, not stored: a ticket is its expiry and a random nonce, with an HMAC-SHA256 of both
 * under `server.ticket_secret`. Every replica given the same secret verifies every replica's tickets, so
 * the ticket need not come back to the process that issued it — behind a load balancer, POST
 * /api/ws-ticket and the upgrade usually reach different replicas. Without a secret each process draws
 * its own at random, and its tickets work on it alone.
 *
 * Single use needs shared state that replicas do not have, so it holds per replica: each remembers the
 * tickets redeemed on it until they expire. A ticket could be redeemed once on each replica within its
 * lifetime (30 s) — by someone who read it from the URL of the browser it was issued to, who already
 * holds a connection; the short lifetime bounds that window.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Bytes of HMAC kept in the ticket: 128 bits cannot be guessed within a ticket's lifetime. */
const MAC_BYTES = 16;
const NONCE_BYTES = 16;
/** A redeemed ticket is remembered this long past its expiry, so a late reuse says "already used", not "expired". */
const SEEN_GRACE_MS = 60_000;

export class TicketBook {
  /** Tickets redeemed on this replica, with their expiry: a second use is refused until they are forgotten. */
  private readonly seen = new Map<string, number>();
  private readonly key: Buffer;
  /** False when no secret was given: the tickets only work on this process. */
  readonly shared: boolean;

  constructor(
    readonly ttlMs = 30_000,
    /** `server.ticket_secret`, the same on every replica; absent: a random one for this process only. */
    secret?: string,
  ) {
    this.shared = secret !== undefined && secret !== "";
    this.key = this.shared ? Buffer.from(secret!, "utf8") : randomBytes(32);
  }

  issue(now = Date.now()): { ticket: string; expires_in_s: number } {
    this.sweep(now);
    const payload = Buffer.alloc(8 + NONCE_BYTES);
    payload.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now + this.ttlMs))));
    randomBytes(NONCE_BYTES).copy(payload, 8);
    const ticket = `${payload.toString("base64url")}.${this.mac(payload).toString("base64url")}`;
    return { ticket, expires_in_s: Math.round(this.ttlMs / 1000) };
  }

  /** "ok", or why the ticket is refused. A ticket is consumed by its first use on this replica. */
  redeem(ticket: string, now = Date.now()): "ok" | "unknown" | "expired" {
    const expires = this.verify(ticket);
    if (expires === null || this.seen.has(ticket)) return "unknown";
    this.sweep(now);
    this.seen.set(ticket, expires);
    return expires < now ? "expired" : "ok";
  }

  /** The expiry signed into the ticket, or null when it is not one of ours (malformed or not signed with our key). */
  private verify(ticket: string): number | null {
    const [p, m, extra] = ticket.split(".");
    if (!p || !m || extra !== undefined) return null;
    const payload = Buffer.from(p, "base64url");
    const mac = Buffer.from(m, "base64url");
    if (payload.length !== 8 + NONCE_BYTES || mac.length !== MAC_BYTES) return null;
    // Re-encoding must give the same text: base64url decoding ignores stray characters, a ticket may not carry any.
    if (payload.toString("base64url") !== p || mac.toString("base64url") !== m) return null;
    if (!timingSafeEqual(mac, this.mac(payload))) return null;
    return Number(payload.readBigUInt64BE());
  }

  private mac(payload: Buffer): Buffer {
    return createHmac("sha256", this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }

  private sweep(now: number): void {
    for (const [t, exp] of this.seen) if (exp + SEEN_GRACE_MS < now) this.seen.delete(t);
  }
}
