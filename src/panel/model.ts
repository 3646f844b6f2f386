/**
 * From the frames a panel receives to what it shows: one view per entity, rows newest first with the
 * display fields formatted, filtered by the search text and capped. Pure functions, so the panel, its
 * CSV export and its tests agree on "what is shown".
 */
import { dateTimeFormat, FieldType, LoadingState, type DataFrame, type Field, type PanelData } from "@grafana/data";
import type { EntityStats } from "../../contract/index.ts";
import type { ConnectionState, NomnomFrameMeta } from "../shared/types.ts";

export interface EntityView {
  name: string;
  color: string | null;
  icon: string;
  /** Columns shown, in order. */
  columns: string[];
  /** Rows as shown (formatted), newest first, before search and cap. */
  rows: Array<Record<string, string>>;
  stats: EntityStats | null;
  maxRecords: number | null;
  /** Changes its stream has applied (for the "new while paused" count); see NomnomFrameMeta.received. */
  received: number;
}

/**
 * How many changes arrived since the panel was paused, per entity summed. A counter lower than when
 * paused means the stream started over meanwhile: what it counted since is what arrived.
 */
export function arrivedSincePause(frozen: EntityView[], live: EntityView[]): number {
  const then = new Map(frozen.map((v) => [v.name, v.received]));
  let sum = 0;
  for (const v of live) {
    const before = then.get(v.name) ?? 0;
    sum += v.received >= before ? v.received - before : v.received;
  }
  return sum;
}

export function nomnomMeta(frame: DataFrame): NomnomFrameMeta | undefined {
  return (frame.meta?.custom as { nomnom?: NomnomFrameMeta } | undefined)?.nomnom;
}

function format(field: Field, i: number, timeZone: string): string {
  const v: unknown = field.values[i];
  if (v === null || v === undefined) return "";
  if (field.type === FieldType.time && typeof v === "number") {
    // Date-only columns carry a `time:` unit; they are midnight UTC, shown as the date they are.
    const unit = field.config.unit;
    if (unit?.startsWith("time:")) return dateTimeFormat(v, { timeZone: "utc", format: unit.slice(5) });
    return dateTimeFormat(v, { timeZone, format: "YYYY-MM-DD HH:mm:ss" });
  }
  if (typeof v === "object") return JSON.stringify(v);
  if (typeof v === "number" && field.config.decimals !== undefined && field.config.decimals !== null) return v.toFixed(field.config.decimals);
  return String(v);
}

/**
 * The statistics that Stats queries among the panel's queries sent, by entity, as the datasource put them
 * in the frames' meta: a card whose rows frame carries none (a History query's) shows them.
 */
function statsFromFrames(frames: DataFrame[]): Map<string, EntityStats> {
  const out = new Map<string, EntityStats>();
  for (const f of frames) {
    const meta = nomnomMeta(f);
    if (meta?.kind !== "stats") continue;
    for (const [name, stats] of Object.entries(meta.statsByEntity ?? {})) out.set(name, stats);
  }
  return out;
}

/** One view per entity frame (live or history rows); frames of other datasources are shown as they are. */
export function entityViews(frames: DataFrame[], timeZone = "browser"): EntityView[] {
  const stats = statsFromFrames(frames);
  const views = new Map<string, EntityView>();
  frames.forEach((frame, index) => {
    const meta = nomnomMeta(frame);
    if (meta && meta.kind !== "live" && meta.kind !== "history") return;
    const name = meta?.entity?.name ?? frame.name ?? frame.refId ?? `Series ${index + 1}`;
    const present = frame.fields.map((f) => f.name);
    const display = (meta?.entity?.display ?? []).filter((d) => present.includes(d));
    const columns = display.length > 0 ? display : present;
    const fields = columns.map((c) => frame.fields.find((f) => f.name === c)!);
    const rows: Array<Record<string, string>> = [];
    for (let i = frame.length - 1; i >= 0; i--) {
      const row: Record<string, string> = {};
      fields.forEach((f, j) => (row[columns[j]!] = format(f, i, timeZone)));
      rows.push(row);
    }
    const existing = views.get(name);
    if (existing) {
      existing.rows = [...rows, ...existing.rows];
      return;
    }
    views.set(name, {
      name,
      color: meta?.entity?.color ?? null,
      icon: meta?.entity?.icon ?? "▦",
      columns,
      rows,
      stats: meta?.stats ?? stats.get(name) ?? null,
      maxRecords: meta?.entity?.max_records ?? null,
      received: meta?.received ?? 0,
    });
  });
  return [...views.values()];
}

/** The connection as the frames report it (the datasource's socket), else from the panel's loading state. */
export function connectionOf(data: PanelData): ConnectionState | null {
  for (const f of data.series) {
    const c = nomnomMeta(f)?.connection;
    if (c) return c;
  }
  if (data.state === LoadingState.Error) return { status: "error", message: data.errors?.[0]?.message ?? data.error?.message, attempt: 0, since: 0 };
  return null;
}

export function matchesSearch(row: Record<string, string>, search: string): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();
  return Object.values(row).some((v) => v.toLowerCase().includes(needle));
}

/** The rows a card shows: matching the search, newest first, at most `cap`. */
export function shownRows(view: EntityView, search: string, cap: number | undefined): Array<Record<string, string>> {
  const limit = cap ?? view.maxRecords ?? Infinity;
  return view.rows.filter((r) => matchesSearch(r, search)).slice(0, limit);
}
