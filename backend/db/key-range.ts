/**
 * The values an integer key column can hold, from its type (signed or unsigned, 8 to 64 bits). A
 * cursor or a history bound outside it names no row that can ever exist, and a database answers it
 * badly — PostgreSQL with an out-of-range error, MySQL/MariaDB by wrapping it around in a cast — so the
 * API refuses it before any query. Each dialect reads the range from the column's type with the
 * columns; a key without one (the events changelog's `id`) is a signed 64-bit integer.
 */

export interface KeyRange {
  min: bigint;
  max: bigint;
  /** The type's name as the database spells it, for messages. */
  type: string;
}

export function integerRange(bits: number, unsigned: boolean, type: string): KeyRange {
  const size = 1n << BigInt(bits);
  return unsigned ? { min: 0n, max: size - 1n, type } : { min: -(size >> 1n), max: (size >> 1n) - 1n, type };
}

/** PostgreSQL's bigint, MySQL's BIGINT: the range of a key whose type says nothing else. */
export const SIGNED_64: KeyRange = integerRange(64, false, "bigint");

export function inKeyRange(value: bigint, range: KeyRange): boolean {
  return value >= range.min && value <= range.max;
}

/** True for an unsigned type, whose values MySQL must cast as UNSIGNED (a SIGNED cast wraps the upper half). */
export function isUnsigned(range: KeyRange | undefined): boolean {
  return range !== undefined && range.min === 0n;
}
