/**
 * When an entity last received a row, and whether it has been quiet for longer than expected: the
 * panel's `quietAfterSeconds`, else what its `alerts.min_per_minute` implies — at that rate one insert
 * is due every 60/min seconds, and the backend's alert looks at a minute, so never less than a minute.
 */
import type { EntityView } from "./model.ts";

/** The last insert's time (ms): the backend's `last_insert_at`, else the newest row's timestamp column. */
export function lastInsertAt(view: EntityView): { at: number; source: "backend" | "row" } | null {
  const sent = view.stats?.last_insert_at;
  if (sent) {
    const at = Date.parse(sent);
    if (!Number.isNaN(at)) return { at, source: "backend" };
  }
  let newest: number | null = null;
  for (const row of view.rows) {
    const t = view.time(row);
    if (t !== null && (newest === null || t > newest)) newest = t;
  }
  return newest === null ? null : { at: newest, source: "row" };
}

/** Milliseconds of silence after which the entity counts as quiet, or null when nothing is expected of it. */
export function quietAfterMs(view: EntityView, quietAfterSeconds: number | undefined): number | null {
  if (quietAfterSeconds && quietAfterSeconds > 0) return quietAfterSeconds * 1000;
  const min = view.alerts?.min_per_minute;
  if (!min || min <= 0) return null;
  return Math.max(60, 60 / min) * 1000;
}

export interface Activity {
  /** The last insert (ms), if known. */
  at: number | null;
  source: "backend" | "row" | null;
  /** Milliseconds since then. */
  ageMs: number | null;
  quietAfterMs: number | null;
  quiet: boolean;
}

export function activityOf(view: EntityView, now: number, quietAfterSeconds: number | undefined): Activity {
  const last = lastInsertAt(view);
  const limit = quietAfterMs(view, quietAfterSeconds);
  const ageMs = last ? Math.max(0, now - last.at) : null;
  return { at: last?.at ?? null, source: last?.source ?? null, ageMs, quietAfterMs: limit, quiet: limit !== null && ageMs !== null && ageMs > limit };
}
