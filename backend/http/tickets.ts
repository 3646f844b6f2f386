/**
 * Single-use, short-lived WebSocket tickets. Browsers cannot set headers on a WebSocket, so a client
 * holding the bearer token (server-side, e.g. Grafana's data proxy) trades it for a ticket that the
 * browser puts in the `/ws?ticket=` query. A ticket works once and expires in `ttlMs`.
 */
import { randomBytes } from "node:crypto";

export class TicketBook {
  private readonly tickets = new Map<string, number>();

  constructor(readonly ttlMs = 30_000) {}

  issue(now = Date.now()): { ticket: string; expires_in_s: number } {
    this.sweep(now);
    const ticket = randomBytes(24).toString("base64url");
    this.tickets.set(ticket, now + this.ttlMs);
    return { ticket, expires_in_s: Math.round(this.ttlMs / 1000) };
  }

  /** "ok", or why the ticket is refused. A ticket is consumed by its first use. */
  redeem(ticket: string, now = Date.now()): "ok" | "unknown" | "expired" {
    const expires = this.tickets.get(ticket);
    if (expires === undefined) return "unknown";
    this.tickets.delete(ticket);
    return expires < now ? "expired" : "ok";
  }

  private sweep(now: number): void {
    for (const [t, exp] of this.tickets) if (exp < now) this.tickets.delete(t);
  }
}
