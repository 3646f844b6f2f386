/** The REST API: health, entities, stats, history, metrics and WebSocket tickets. */
import { Hono } from "hono";
import { z } from "zod";
import { REST, ROW_ID_TEXT, toRowId, type EntityInfo, type RecordsResponse } from "../../contract/index.ts";
import type { Backend } from "../backend.ts";
import { inKeyRange, SIGNED_64 } from "../db/key-range.ts";
import { errorResponse } from "./errors.ts";
import type { TicketBook } from "./tickets.ts";

const position = z.string().regex(ROW_ID_TEXT, "must be a non-negative integer");
/**
 * Times every database takes: PostgreSQL's range ends near 4713 BC and 294276 AD, MySQL's DATETIME at
 * years 1000 and 9999 (and it compares a value past them wrongly rather than failing), JavaScript's
 * dates go to ±275760 — so from/to are refused outside years 1–9999, the same on every dialect.
 */
const EARLIEST = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");
const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time")
  .refine((s) => Date.parse(s) >= EARLIEST && Date.parse(s) <= LATEST, "must be a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z");

const recordsQuery = z.strictObject({
  after_id: position.optional(),
  before_id: position.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.string().regex(/^\d+$/, "must be an integer").transform(Number).pipe(z.number().int().min(1).max(10_000)).optional(),
});

export function restRoutes(backend: Backend, tickets: TicketBook): Hono {
  const api = new Hono();

  api.get(REST.health, (c) => {
    const health = backend.health();
    return c.json(health, health.status === "ok" ? 200 : 503);
  });

  api.get(REST.entities, (c) => c.json<EntityInfo[]>(backend.entities.map((e) => e.info)));

  api.get(REST.stats, (c) => c.json(backend.stats()));

  api.get(REST.records, async (c) => {
    const name = c.req.param("name");
    const feed = backend.hub.feeds.get(name);
    if (!feed) return errorResponse(c, 404, "unknown_entity", `unknown entity "${name}"; known: ${[...backend.hub.feeds.keys()].join(", ")}`);
    const parsed = recordsQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return errorResponse(c, 400, "invalid_query", `${i.path.join(".") || "query"}: ${i.message}`);
    }
    const q = parsed.data;
    // A bound outside the key's type names no row (and PostgreSQL would fail on it, MySQL wrap it around).
    const range = feed.entity.ref.keyRange ?? SIGNED_64;
    for (const bound of ["after_id", "before_id"] as const) {
      const v = q[bound];
      if (v !== undefined && !inKeyRange(BigInt(v), range)) {
        return errorResponse(c, 400, "invalid_query", `${bound}: ${v} is outside the range of the key column "${feed.entity.ref.key}" (${range.type}, at most ${range.max})`);
      }
    }
    if ((q.from || q.to) && !feed.entity.ref.timestamp) {
      return errorResponse(c, 400, "invalid_query", `entity "${name}" has no timestamp column configured, so from/to cannot be used`);
    }
    const page = await feed.page({
      after: q.after_id === undefined ? undefined : BigInt(q.after_id),
      before: q.before_id === undefined ? undefined : BigInt(q.before_id),
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit: q.limit ?? 100,
    });
    return c.json<RecordsResponse>({ entity: name, records: page.records, cursor: toRowId(page.cursor), has_more: page.hasMore });
  });

  api.post(REST.wsTicket, (c) => c.json(tickets.issue()));

  return api;
}
