/**
 * A row and its id, as the wire carries them. Every side parses ids with these functions: the backend
 * (cursors, REST parameters, driver values) and the plugin (ordering, resume cursors).
 */

/** A JSON-safe column value: 64-bit integers and decimals arrive as strings, times as ISO-8601 UTC. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;

export type ChangeType = "insert" | "update" | "delete";

/** A row key or event id: a number when it fits in 2^53, otherwise its decimal string. */
export type RowId = number | string;

/** The text of a row id in a URL or a JSON string: a non-negative decimal integer. */
export const ROW_ID_TEXT = /^\d{1,20}$/;

/** A key as the wire shows it: a number when exact in a double, otherwise a string. */
export function toRowId(key: bigint): RowId {
  return key <= BigInt(Number.MAX_SAFE_INTEGER) && key >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(key) : key.toString();
}

/**
 * An id (a wire `RowId`, or a key value as a driver returns it: number, bigint or decimal string) as an
 * exact bigint. Throws a TypeError for anything that is not an integer.
 */
export function parseRowId(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`key value ${JSON.stringify(value)} is not an integer`);
}

/** True when `a` comes after `b` in the stream (`b` absent: anything does). */
export function idAfter(a: RowId, b: RowId | null | undefined): boolean {
  if (b === null || b === undefined) return true;
  if (typeof a === "number" && typeof b === "number") return a > b;
  return parseRowId(a) > parseRowId(b);
}

/** The canonical wire form of an id: a number when it fits exactly, else its decimal string. */
export function normaliseId(id: RowId): RowId {
  return toRowId(parseRowId(id));
}
