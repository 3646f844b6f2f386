/**
 * Bearer-token authentication, Hono-style: `app.use(path, bearerAuth({ tokens }))`. The REST API and
 * `/metrics` use it as it is; the WebSocket guard uses it for connections that bring no ticket.
 *
 * Not Hono's own `hono/bearer-auth`: that one throws an HTTPException (which this app's error handler
 * answers as a 500), answers a malformed header with 400 and a body of its own, admits only some token
 * characters, and stops comparing at the first token that matches. This one answers every refusal with
 * 401 and the API's error body, and compares the candidate against every token.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "../../errors.ts";

export interface BearerAuthOptions {
  /** The tokens that are accepted (callers mount the middleware only when there is at least one). */
  tokens: readonly string[];
  /** What the 401 says when the Authorization header is missing, and when it holds no valid token. */
  messages?: { missing?: string; invalid?: string };
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if it is one. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer (.+)$/i.exec(header ?? "")?.[1];
}

/** Constant-time over the digests, so neither content nor length leaks through timing. */
export function tokenMatches(candidate: string, tokens: readonly string[]): boolean {
  const c = createHash("sha256").update(candidate).digest();
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(c, createHash("sha256").update(t).digest()) || ok;
  return ok;
}

export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  const missing = options.messages?.missing ?? "this server requires Authorization: Bearer <token>";
  const invalid = options.messages?.invalid ?? "the bearer token is not valid for this server";
  return async function bearerAuth(c, next) {
    const header = c.req.header("authorization");
    if (!header) return errorResponse(c, 401, "unauthorized", missing);
    const token = bearerToken(header);
    if (!token || !tokenMatches(token, options.tokens)) return errorResponse(c, 401, "unauthorized", invalid);
    await next();
  };
}
