/**
 * Rows and statistics as Grafana data frames with typed fields, so Grafana's own Table, Stat and
 * Time series panels work with them. 64-bit integers and decimals arrive as strings (contract):
 * integer/float/decimal columns become number fields; an integer column (the key or any other) stays an
 * exact string field only when a value does not fit in a double, which would silently change it.
 */
import { createDataFrame, FieldType, type DataFrame, type FieldConfig, type QueryResultMetaNotice } from "@grafana/data";
import type { EntityInfo, EntityStats, EntityStatsMap, FieldInfo, JsonValue } from "../../contract/index.ts";
import type { StoredRow } from "../client/entity-stream.ts";
import type { NomnomFrameMeta } from "../shared/types.ts";

function toNumber(v: JsonValue | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function toTime(v: JsonValue | undefined): number | null {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v === "") return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(ms) ? null : ms;
}

function fitsDouble(v: JsonValue | undefined): boolean {
  if (v === null || v === undefined || typeof v === "number") return true;
  const n = Number(v);
  return Number.isSafeInteger(n) || (Number.isFinite(n) && !/^-?\d+$/.test(String(v)));
}

interface Converted {
  type: FieldType;
  values: unknown[];
}

export function convertColumn(field: FieldInfo, isKey: boolean, values: Array<JsonValue | undefined>): Converted {
  switch (field.type) {
    case "integer":
    case "float":
    case "decimal":
      if ((isKey || field.type === "integer") && !values.every(fitsDouble)) return { type: FieldType.string, values: values.map((v) => (v === null || v === undefined ? null : String(v))) };
      return { type: FieldType.number, values: values.map(toNumber) };
    case "datetime":
    case "date":
      return { type: FieldType.time, values: values.map(toTime) };
    case "boolean":
      return { type: FieldType.boolean, values: values.map((v) => (v === null || v === undefined ? null : Boolean(v))) };
    case "json":
      return { type: FieldType.other, values: values.map((v) => v ?? null) };
    default:
      return { type: FieldType.string, values: values.map((v) => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v))) };
  }
}

/** Digits after the point in the decimal strings of a column ("57950.40" → 2), so numbers show as the database holds them. */
export function decimalScale(values: Array<JsonValue | undefined>): number | undefined {
  let scale: number | undefined;
  for (const v of values) {
    if (typeof v !== "string") continue;
    const dot = v.indexOf(".");
    const digits = dot < 0 ? 0 : v.length - dot - 1;
    scale = Math.max(scale ?? 0, digits);
  }
  return scale;
}

export function selectedFields(info: EntityInfo, wanted?: string[]): FieldInfo[] {
  if (!wanted || wanted.length === 0) return info.fields;
  const set = new Set(wanted);
  const picked = info.fields.filter((f) => set.has(f.name));
  return picked.length > 0 ? picked : info.fields;
}

/** The entity as the panel needs it; `position` is its place in `GET /api/entities`. */
export function entityMeta(info: EntityInfo, position?: number): NonNullable<NomnomFrameMeta["entity"]> {
  return {
    name: info.name,
    color: info.color,
    icon: info.icon,
    key: info.key,
    timestamp: info.timestamp,
    max_records: info.max_records,
    display: info.fields.filter((f) => f.display).map((f) => f.name),
    ...(info.alerts ? { alerts: info.alerts } : {}),
    ...(position !== undefined ? { position } : {}),
  };
}

export function metaOf(nomnom: NomnomFrameMeta, notices: QueryResultMetaNotice[] = []) {
  return { preferredVisualisationType: "table" as const, custom: { nomnom }, ...(notices.length ? { notices } : {}) };
}

/** One entity's rows (ascending by key) as a frame named after the entity. */
export function rowsFrame(info: EntityInfo, rows: StoredRow[], refId: string, fields: FieldInfo[], nomnom: NomnomFrameMeta, notices: QueryResultMetaNotice[] = []): DataFrame {
  return createDataFrame({
    name: info.name,
    refId,
    meta: metaOf(nomnom, notices),
    fields: fields.map((f) => {
      const { type, values } = convertColumn(f, f.name === info.key, rows.map((r) => r.data[f.name]));
      const config: FieldConfig = {};
      if (f.name === info.key) config.custom = { nomnomKey: true };
      if (f.type === "date") config.unit = "time:YYYY-MM-DD";
      if (f.type === "decimal") {
        const scale = decimalScale(rows.map((r) => r.data[f.name]));
        if (scale !== undefined) config.decimals = scale;
      }
      return { name: f.name, type, values, config };
    }),
  });
}

const STAT_COLUMNS: Array<[keyof EntityStats, string]> = [
  ["total", "Total rows"],
  ["inserts_last_minute", "Inserts (last minute)"],
  ["inserts_last_5_minutes", "Inserts (last 5 minutes)"],
  ["rate_per_second", "Inserts per second"],
];

/**
 * One row per entity: total, inserts in the last 1 and 5 minutes, rate, last id and last insert time;
 * the statistics themselves in the meta too (NomnomFrameMeta.statsByEntity), for the Entity stream panel.
 */
export function statsFrame(stats: EntityStatsMap, entities: string[], refId: string, nomnom: NomnomFrameMeta, notices: QueryResultMetaNotice[] = []): DataFrame {
  const names = entities.filter((e) => stats[e]);
  const rows = names.map((n) => stats[n]!);
  const statsByEntity: EntityStatsMap = Object.fromEntries(names.map((n, i) => [n, rows[i]!]));
  return createDataFrame({
    name: "stats",
    refId,
    meta: metaOf({ ...nomnom, statsByEntity }, notices),
    fields: [
      { name: "entity", type: FieldType.string, values: names },
      ...STAT_COLUMNS.map(([key, displayName]) => ({
        name: key,
        type: FieldType.number,
        values: rows.map((r) => r[key] as number),
        config: { displayName: `${displayName}`, ...(key === "rate_per_second" ? { unit: "suffix: rows/s", decimals: 2 } : {}) },
      })),
      { name: "last_id", type: FieldType.string, values: rows.map((r) => (r.last_id === null ? null : String(r.last_id))) },
      { name: "last_insert_at", type: FieldType.time, values: rows.map((r) => toTime(r.last_insert_at)) },
    ],
  });
}

export interface RatePoint {
  time: number;
  value: number;
}

/** A time series of one entity's insert rate, the series named after the entity. */
export function rateFrame(entity: string, points: RatePoint[], refId: string, nomnom: NomnomFrameMeta, notices: QueryResultMetaNotice[] = []): DataFrame {
  return createDataFrame({
    name: entity,
    refId,
    meta: { ...metaOf(nomnom, notices), preferredVisualisationType: "graph" as const },
    fields: [
      { name: "time", type: FieldType.time, values: points.map((p) => p.time) },
      { name: "rate_per_second", type: FieldType.number, values: points.map((p) => p.value), config: { displayNameFromDS: entity, unit: "suffix: rows/s" } },
    ],
  });
}
