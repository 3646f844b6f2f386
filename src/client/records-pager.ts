/**
 * An entity's history as `GET /api/entities/:name/records` gives it: newest first, page by page
 * (`before_id`), returned ascending. The History query reads its time range with it, and the rows
 * between its cursor and a late live stream. No Grafana here: the REST API is anything with `records`.
 */
import { idAfter, normaliseId, type EntityInfo, type RecordsQuery, type RecordsResponse, type RowId } from "../../contract/index.ts";
import type { StoredChange, StoredRow } from "./entity-stream.ts";

/** Rows asked for per request. */
export const HISTORY_PAGE = 1000;

/** What the pager needs of the REST API: BackendApi has it; tests fake it. */
export interface RecordsApi {
  records(entity: string, query: RecordsQuery): Promise<RecordsResponse>;
}

/** Bounds on the entity's timestamp column, ISO-8601. */
export interface TimeBounds {
  from?: string;
  to?: string;
}

/** Rows, ascending, and the stream position the first page was read at. */
export interface HistoryPage {
  rows: StoredRow[];
  cursor: RowId | null;
}

/**
 * Pages `/records` newest first (`before_id`), returning at most `limit` rows ascending; with `after`,
 * it stops at the first row at or below it.
 */
export async function readNewest(api: RecordsApi, info: EntityInfo, query: TimeBounds, limit: number, bounds: { before?: RowId; after?: RowId | null } = {}): Promise<HistoryPage> {
  const pages: StoredRow[][] = [];
  let total = 0;
  let before = bounds.before;
  let cursor: RowId | null = null;
  for (;;) {
    const page = await api.records(info.name, {
      ...query,
      ...(before !== undefined ? { before_id: String(before) } : {}),
      limit: Math.min(HISTORY_PAGE, limit - total),
    });
    if (pages.length === 0) cursor = page.cursor === null ? null : normaliseId(page.cursor);
    const rows = page.records.map((r) => ({ id: normaliseId(r[info.key] as RowId), data: r }));
    const fresh = bounds.after === undefined ? rows : rows.filter((r) => idAfter(r.id, bounds.after));
    pages.unshift(fresh);
    total += fresh.length;
    if (fresh.length < rows.length || !page.has_more || rows.length === 0 || total >= limit) break;
    before = rows[0]!.id;
  }
  return { rows: pages.flat(), cursor };
}

/**
 * The rows after `after` and before `before`, ascending, at most the newest `limit` of them (older
 * ones would fall off the frame anyway), as inserts.
 */
export async function readBetween(api: RecordsApi, info: EntityInfo, after: RowId | null, before: RowId, limit: number): Promise<StoredChange[]> {
  const { rows } = await readNewest(api, info, {}, limit, { before, after });
  return rows.map((r) => ({ ...r, type: "insert" as const, key: r.id }));
}
