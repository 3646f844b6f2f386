/**
 * What `/ws` checks before the upgrade, as one middleware of three in order: the origin (403), then
 * authentication — a single-use `ticket` in the query, or else the bearer header through the same
 * middleware as the REST API — (401), then the connection limits (503).
 *
 * The limits count from the upgrade on: the last check reserves the connection's slot, which the
 * handler (ws.ts) hands to the session, or gives back if the upgrade does not happen.
 */
import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { parseWsQuery } from "../../contract/index.ts";
import type { Backend } from "../backend.ts";
import type { ConnectionSlot } from "../stream/connection-slots.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { errorResponse } from "./errors.ts";
import { bearerAuth } from "./middleware/bearer-auth/index.ts";
import { originAllowed } from "./origin.ts";
import type { TicketBook } from "./tickets.ts";

const TICKET_OR_TOKEN = "a ticket (from POST /api/ws-ticket) or a bearer token is required";

function originCheck(allowed: string[]): MiddlewareHandler {
  return async (c, next) => {
    // Same-origin pages are judged against the Host header: behind the Node upgrade, c.req.url has no real host.
    const host = c.req.header("host");
    if (!originAllowed(c.req.header("origin"), host ? `http://${host}/` : c.req.url, allowed)) {
      return errorResponse(c, 403, "forbidden_origin", `origin ${c.req.header("origin")} is not in server.cors_origins`);
    }
    await next();
  };
}

/** A ticket, when the query has one, is all that is judged; without one the bearer header must do. */
function ticketOrBearer(tickets: TicketBook, bearer: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const { ticket } = parseWsQuery((name) => c.req.query(name));
    if (ticket === undefined) return bearer(c, next);
    const verdict = tickets.redeem(ticket);
    if (verdict !== "ok") return errorResponse(c, 401, "invalid_ticket", verdict === "expired" ? "the ticket has expired; get a new one from POST /api/ws-ticket" : "unknown or already used ticket; get a new one from POST /api/ws-ticket");
    await next();
  };
}

/** The slot reserved for each upgrade request the guard let through, until the handler takes it. */
const reserved = new WeakMap<Request, ConnectionSlot>();

/** The connection slot the guard reserved for this upgrade request. */
export function reservedSlot(c: Context): ConnectionSlot | undefined {
  return reserved.get(c.req.raw);
}

function capacityCheck(backend: Backend, adapter: RuntimeAdapter): MiddlewareHandler {
  return async (c, next) => {
    const slot = backend.hub.connections.reserve(adapter.remoteAddress(c));
    if (typeof slot === "string") return errorResponse(c, 503, "too_many_connections", slot);
    reserved.set(c.req.raw, slot);
    try {
      await next();
    } finally {
      // Not an upgrade (no `Upgrade: websocket` header: a 404), or it failed: nothing will hold the slot.
      if (c.res.status >= 300) slot.release();
    }
  };
}

export function wsGuard(backend: Backend, adapter: RuntimeAdapter, tickets: TicketBook): MiddlewareHandler {
  const { server } = backend.config;
  const auth = server.auth_tokens.length > 0 ? [ticketOrBearer(tickets, bearerAuth({ tokens: server.auth_tokens, messages: { missing: TICKET_OR_TOKEN, invalid: TICKET_OR_TOKEN } }))] : [];
  return every(originCheck(server.cors_origins), ...auth, capacityCheck(backend, adapter));
}
