/** The REST API: health, entities, stats, history, metrics and WebSocket tickets. */
import { Hono } from "hono";
import { z } from "zod";
import { REST, ROW_ID_TEXT, toRowId, type EntityInfo, type RecordsResponse } from "../../contract/index.ts";
import type { Backend } from "../backend.ts";
import { errorResponse } from "./errors.ts";
import type { TicketBook } from "./tickets.ts";

const position = z.string().regex(ROW_ID_TEXT, "must be a non-negative integer");
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time");

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
