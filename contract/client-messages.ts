/**
 * Messages a client may send on `/ws`, as zod schemas (the server validates every frame with them)
 * and the types inferred from them (clients import only the types).
 */
import { z } from "zod";
import { ROW_ID_TEXT } from "./row.ts";

const position = z.union([z.number().int().nonnegative(), z.string().regex(ROW_ID_TEXT, "a decimal integer")]);

export const subscribeSchema = z.strictObject({
  type: z.literal("subscribe"),
  /** Entities to receive; absent means every entity. Replaces the current subscription. */
  entities: z.array(z.string().min(1).max(200)).max(1000).optional(),
  /** Resume cursor: for each entity, the last id the client holds. The server replays every row after it. */
  cursor: z.record(z.string().min(1).max(200), position).optional(),
  /** Ask for `batch` frames instead of one frame per row. */
  batch: z.boolean().optional(),
  /** Send a snapshot of the latest rows for entities without a cursor (default true). */
  snapshot: z.boolean().optional(),
});

export const unsubscribeSchema = z.strictObject({
  type: z.literal("unsubscribe"),
  entities: z.array(z.string().min(1).max(200)).min(1).max(1000),
});

export const pingSchema = z.strictObject({ type: z.literal("ping") });

export const clientMessageSchema = z.discriminatedUnion("type", [subscribeSchema, unsubscribeSchema, pingSchema]);

export type SubscribeMessage = z.infer<typeof subscribeSchema>;
export type UnsubscribeMessage = z.infer<typeof unsubscribeSchema>;
export type PingMessage = z.infer<typeof pingSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
