/** Row ids arrive as numbers, or as decimal strings past 2^53: compare them exactly. */
import type { RowId } from "../../contract/index.ts";

export function idToBigInt(id: RowId): bigint {
  return typeof id === "number" ? BigInt(Math.trunc(id)) : BigInt(id);
}

/** True when `a` comes after `b` in the stream. */
export function idAfter(a: RowId, b: RowId | null | undefined): boolean {
  if (b === null || b === undefined) return true;
  if (typeof a === "number" && typeof b === "number") return a > b;
  return idToBigInt(a) > idToBigInt(b);
}

/** A JSON-safe id: a number when it fits exactly, else its decimal string. */
export function normaliseId(id: RowId): RowId {
  if (typeof id === "number") return id;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}
