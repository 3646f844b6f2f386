/**
 * The Hono application: middleware (security headers, CORS, rate limit, auth, body limit) and routes.
 * Runtime specifics (serving, WebSocket upgrade, peer address) come in through the adapter.
 */
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { rateLimiter } from "hono-rate-limiter";
import { API_PREFIX, METRICS_PATH, REST, WS_PATH } from "../../contract/index.ts";
import { QueryTimeoutError } from "../db/deadline.ts";
import { connectionLost } from "../db/errors.ts";
import type { Backend } from "../backend.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { errorResponse } from "./errors.ts";
import { restRoutes } from "./rest.ts";
import { bearerAuth } from "./middleware/bearer-auth/index.ts";
import { TicketBook } from "./tickets.ts";
import { wsHandler } from "./ws.ts";
import { wsGuard } from "./ws-guard.ts";

/** Extra routes mounted by other parts (the preview page); each gets the app after the API is in place. */
export type RouteExtension = (app: Hono, backend: Backend) => void;

export function mountApp(app: Hono, backend: Backend, adapter: RuntimeAdapter, extensions: RouteExtension[] = []): Hono {
  const { server } = backend.config;
  const tickets = new TicketBook(30_000, server.ticket_secret);
  if (!tickets.shared && server.auth_tokens.length > 0) {
    const message = "server.ticket_secret (or NOMNOM_TICKET_SECRET) is not set: WebSocket tickets only work on this replica; behind a load balancer give every replica the same secret";
    if (backend.config.cluster.bus) backend.log.warn(message);
    else backend.log.info(message);
  }
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));
  app.use(
    "*",
    cors({
      origin: server.cors_origins.includes("*") ? "*" : server.cors_origins,
      allowHeaders: ["Authorization", "Content-Type"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      maxAge: 600,
    }),
  );
  app.use(
    `${API_PREFIX}/*`,
    rateLimiter({
      windowMs: 60_000,
      limit: server.rate_limit_per_minute,
      standardHeaders: "draft-6",
      keyGenerator: (c) => adapter.remoteAddress(c),
      handler: (c) => errorResponse(c, 429, "rate_limited", `more than ${server.rate_limit_per_minute} requests a minute from your address; slow down`),
    }),
  );
  app.use(`${API_PREFIX}/*`, bodyLimit({ maxSize: server.max_message_bytes, onError: (c) => errorResponse(c, 413, "too_large", `request bodies are limited to ${server.max_message_bytes} bytes`) }));
  if (server.auth_tokens.length > 0) {
    const auth = except((c) => c.req.method === "OPTIONS" || c.req.path === API_PREFIX + REST.health, bearerAuth({ tokens: server.auth_tokens }));
    app.use(`${API_PREFIX}/*`, auth);
    app.use(METRICS_PATH, auth);
  }
  app.route(API_PREFIX, restRoutes(backend, tickets));
  app.get(METRICS_PATH, async (c) => c.text(await backend.metrics.registry.metrics(), 200, { "Content-Type": backend.metrics.registry.contentType }));
  app.get(WS_PATH, wsGuard(backend, adapter, tickets), wsHandler(backend, adapter));
  for (const extend of extensions) extend(app, backend);
  app.notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    // The database not answering is not the server failing: the client may try again, as the stream does.
    if (err instanceof QueryTimeoutError || connectionLost(err)) {
      backend.log.warn("request failed: the database did not answer", { path: c.req.path, error: err.message });
      return errorResponse(c, 503, "database_unavailable", `the database did not answer (${err.message}); try again shortly`);
    }
    backend.log.error("request failed", { path: c.req.path, error: err.message });
    return errorResponse(c, 500, "internal", "the server failed to answer; see its log");
  });
  return app;
}
