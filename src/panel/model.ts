/**
 * From the frames a panel receives to what it shows: one view per entity — its rows newest first, its
 * columns, statistics, trend and place in the configuration — and what the datasource says about the
 * connection and the database. Cell texts are made on first use (a column at a time), so a view built
 * on every streamed update costs only what the cards show.
 */
import { createTheme, FieldType, LoadingState, type DataFrame, type Field, type GrafanaTheme2, type PanelData } from "@grafana/data";
import type { EntityInfo, EntityStats } from "../../contract/index.ts";
import type { ConnectionState, DatabaseState, NomnomFrameMeta, TrendPoint } from "../shared/types.ts";
import { exportJson, exportValue, isNumeric, makeCellText } from "./cells.ts";

export interface ViewColumn {
  name: string;
  numeric: boolean;
  time: boolean;
}

/** A row of a view: which frame of the view and which index in it, and its identity (the key's value). */
export interface ViewRow {
  part: number;
  index: number;
  id: string;
}

interface Part {
  fields: Map<string, Field>;
  texts: Map<string, string[]>;
}

export class EntityView {
  color: string | null = null;
  icon = "table";
  key: string | null = null;
  timestamp: string | null = null;
  alerts: EntityInfo["alerts"] | null = null;
  /** Display columns (the configuration's display fields), in order. */
  display: string[] = [];
  /** Every column of its frames, in order. */
  columns: ViewColumn[] = [];
  rows: ViewRow[] = [];
  stats: EntityStats | null = null;
  trend: TrendPoint[] = [];
  maxRecords: number | null = null;
  /** Changes its stream has applied (for the "new while paused" count); see NomnomFrameMeta.received. */
  received = 0;
  /** Its place in the backend's configuration; null when the frames do not say (another datasource's). */
  position: number | null = null;
  private readonly parts: Part[] = [];

  constructor(
    readonly name: string,
    /** The order its first frame came in, for entities the configuration does not place. */
    readonly arrival: number,
    private readonly theme: GrafanaTheme2,
    private readonly timeZone: string,
  ) {}

  addFrame(frame: DataFrame, meta: NomnomFrameMeta | undefined): void {
    const part = this.parts.length;
    const fields = new Map(frame.fields.map((f) => [f.name, f]));
    this.parts.push({ fields, texts: new Map() });
    for (const f of frame.fields) {
      if (!this.columns.some((c) => c.name === f.name)) this.columns.push({ name: f.name, numeric: isNumeric(f), time: f.type === FieldType.time });
    }
    const keyField = this.key ? fields.get(this.key) : undefined;
    const rows: ViewRow[] = [];
    for (let i = frame.length - 1; i >= 0; i--) {
      const k: unknown = keyField?.values[i];
      rows.push({ part, index: i, id: k === null || k === undefined ? `${part}:${i}` : String(k) });
    }
    this.rows = [...rows, ...this.rows];
    if (meta?.received !== undefined) this.received = meta.received;
  }

  field(row: ViewRow, column: string): Field | undefined {
    return this.parts[row.part]?.fields.get(column);
  }

  /** The cell as shown. */
  text(row: ViewRow, column: string): string {
    const part = this.parts[row.part];
    const field = part?.fields.get(column);
    if (!part || !field) return "";
    let texts = part.texts.get(column);
    if (!texts) {
      const cell = makeCellText(field, this.theme, this.timeZone);
      texts = Array.from({ length: field.values.length }, (_, i) => cell(i));
      part.texts.set(column, texts);
    }
    return texts[row.index] ?? "";
  }

  /** The cell's exact value as text (CSV of every column). */
  exact(row: ViewRow, column: string): string {
    const field = this.field(row, column);
    return field ? exportValue(field, row.index) : "";
  }

  /** The whole row as JSON values (the expanded row's JSON). */
  json(row: ViewRow): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of this.columns) {
      const field = this.field(row, c.name);
      if (field) out[c.name] = exportJson(field, row.index);
    }
    return out;
  }

  /** The row's time (ms) from the entity's timestamp column. */
  time(row: ViewRow): number | null {
    if (!this.timestamp) return null;
    const v: unknown = this.field(row, this.timestamp)?.values[row.index];
    return typeof v === "number" ? v : null;
  }
}

export function nomnomMeta(frame: DataFrame): NomnomFrameMeta | undefined {
  return (frame.meta?.custom as { nomnom?: NomnomFrameMeta } | undefined)?.nomnom;
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
export function entityViews(frames: DataFrame[], timeZone = "browser", theme?: GrafanaTheme2): EntityView[] {
  const stats = statsFromFrames(frames);
  const views = new Map<string, EntityView>();
  frames.forEach((frame, index) => {
    const meta = nomnomMeta(frame);
    if (meta && meta.kind !== "live" && meta.kind !== "history") return;
    const name = meta?.entity?.name ?? frame.name ?? frame.refId ?? `Series ${index + 1}`;
    let view = views.get(name);
    if (!view) {
      view = new EntityView(name, views.size, theme ?? defaultTheme(), timeZone);
      const e = meta?.entity;
      const present = frame.fields.map((f) => f.name);
      const display = (e?.display ?? []).filter((d) => present.includes(d));
      Object.assign(view, {
        color: e?.color ?? null,
        icon: e?.icon || "table",
        key: e?.key && present.includes(e.key) ? e.key : null,
        timestamp: e?.timestamp && present.includes(e.timestamp) ? e.timestamp : null,
        alerts: e?.alerts ?? null,
        display: display.length > 0 ? display : present,
        maxRecords: e?.max_records ?? null,
        position: e?.position ?? null,
      });
      views.set(name, view);
    }
    view.addFrame(frame, meta);
    view.stats ??= meta?.stats ?? stats.get(name) ?? null;
    if (meta?.trend && meta.trend.length > view.trend.length) view.trend = meta.trend;
  });
  return [...views.values()];
}

let fallbackTheme: GrafanaTheme2 | null = null;
/** Only callers outside a panel (tests of the model) come here; the panel passes its theme. */
function defaultTheme(): GrafanaTheme2 {
  fallbackTheme ??= createTheme();
  return fallbackTheme;
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

/** The database's state as the frames report it: the worst any frame says. */
export function databaseOf(data: PanelData): DatabaseState | null {
  let found: DatabaseState | null = null;
  for (const f of data.series) {
    const d = nomnomMeta(f)?.database;
    if (!d) continue;
    if (!found || (found.status === "ok" && d.status !== "ok") || (found.status === "degraded" && d.status === "unavailable")) found = d;
  }
  return found;
}

/** The rows a card shows: matching the search in the shown columns, newest first, at most `cap`. */
export function shownRows(view: EntityView, columns: string[], search: string, cap: number | undefined): ViewRow[] {
  const limit = cap ?? view.maxRecords ?? Infinity;
  const needle = search.toLowerCase();
  const rows = needle ? view.rows.filter((r) => columns.some((c) => view.text(r, c).toLowerCase().includes(needle))) : view.rows;
  return rows.slice(0, limit);
}
