/**
 * The cards' order. By default the configuration's (the order of `GET /api/entities`, which the
 * datasource puts in each frame's meta), so a reload never moves a card however the queries' answers
 * interleave; optionally the entity with the latest insert first.
 */
import { lastInsertAt } from "./activity.ts";
import type { EntityView } from "./model.ts";
import type { CardOrder } from "./types.ts";

function byConfiguration(a: EntityView, b: EntityView): number {
  // Entities the configuration does not place (another datasource's frames) follow, as they came.
  const pa = a.position ?? Number.MAX_SAFE_INTEGER;
  const pb = b.position ?? Number.MAX_SAFE_INTEGER;
  return pa !== pb ? pa - pb : a.arrival - b.arrival;
}

export function orderViews(views: EntityView[], order: CardOrder): EntityView[] {
  const sorted = [...views].sort(byConfiguration);
  if (order !== "activity") return sorted;
  const latest = new Map(sorted.map((v) => [v.name, lastInsertAt(v)?.at ?? -Infinity]));
  return sorted.sort((a, b) => latest.get(b.name)! - latest.get(a.name)! || byConfiguration(a, b));
}
