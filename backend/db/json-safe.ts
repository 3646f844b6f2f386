/** Converts driver values into JSON-safe ones: 64-bit integers and decimals as strings, times ISO-8601 UTC. */
import type { JsonValue, Row } from "../../contract/index.ts";

export function jsonSafe(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return String(value);
}

export function jsonSafeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k in row) out[k] = jsonSafe(row[k]);
  return out;
}
