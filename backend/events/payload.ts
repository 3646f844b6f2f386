/**
 * Changelog payloads back into rows as table mode delivers them: the triggers write numbers as text
 * (so nothing is rounded on the way) and times as ISO-8601; the entity's column types say what each
 * value was. 64-bit integers and decimals stay strings, other numbers become numbers again, times are
 * normalised to ISO-8601 UTC with milliseconds.
 */
import type { JsonValue, Row } from "../../contract/index.ts";
import type { ColumnInfo } from "../db/dialect.ts";
import { jsonSafe } from "../db/json-safe.ts";

/** A 64-bit (or unsigned 32-bit+) integer column, whose values the contract delivers as strings. */
function isWide(dbType: string): boolean {
  return /^(bigint|int8|bigserial)/i.test(dbType);
}

function isoTime(text: string): string {
  let s = text.trim().replace(" ", "T");
  if (!/(Z|[+-]\d\d(:?\d\d)?)$/i.test(s)) s += "Z"; // no zone: stored as UTC, as table mode reads it
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

function decodeValue(value: JsonValue, column: ColumnInfo | undefined): JsonValue {
  if (value === null || !column) return value;
  switch (column.type) {
    case "integer":
      if (isWide(column.dbType)) return String(value);
      return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    case "float":
      return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    case "decimal":
      return typeof value === "number" ? String(value) : value;
    case "boolean":
      if (typeof value === "string") return value === "1" || value === "true" || value === "t";
      if (typeof value === "number") return value !== 0;
      return value;
    case "datetime":
      return typeof value === "string" ? isoTime(value) : value;
    default:
      return value;
  }
}

/** `raw` is the payload as the driver returned it: parsed JSON, or its text (MariaDB stores JSON as text). */
export function decodePayload(raw: unknown, columns: ReadonlyMap<string, ColumnInfo>): Row {
  const parsed: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  const out: Row = {};
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return out;
  for (const [k, v] of Object.entries(parsed)) out[k] = decodeValue(jsonSafe(v), columns.get(k));
  return out;
}
