/**
 * The database seam. Everything dialect-specific (SQL text, identifier quoting, type mapping, which
 * transactions can still write a table) lives behind this interface; the poller, broadcaster and routes
 * only see JSON-safe rows and opaque transaction identities.
 */
import type { FieldType } from "../../contract/rest.ts";
import type { Row } from "../../contract/index.ts";
import type { Doorbells } from "./doorbell.ts";
import type { KeyRange } from "./key-range.ts";

export interface ColumnInfo {
  name: string;
  type: FieldType;
  /** The database's own type name, for messages. */
  dbType: string;
  /** Integer columns: the values the type holds (key-range.ts). */
  range?: KeyRange;
}

export interface DiscoveredTable {
  /** Unqualified when in the default schema, otherwise `schema.table`. */
  table: string;
  key: string;
  keyType: FieldType;
}

/** A table of the current database or schemas and its primary key, for discovery (table-listing.ts judges it). */
export interface TableListing {
  /** Unqualified when in the default schema, otherwise `schema.table`. */
  table: string;
  /** The primary key's columns in key order; empty when the table has none. */
  primaryKey: ColumnInfo[];
}

/** A table as the dialect addresses it: names come only from configuration or introspection. */
export interface TableRef {
  table: string;
  key: string;
  /** Column holding the insert time, for time-range history. */
  timestamp?: string;
  /** The key column's values, from its type; absent: a signed 64-bit integer. */
  keyRange?: KeyRange;
}

/**
 * The transactions that may still commit a key into a table, as opaque identities that are never
 * reused while the backend runs (PostgreSQL: virtual transaction ids holding a write lock on the table).
 * The gap-safe cursor only compares two readings for overlap.
 */
export type Writers = ReadonlySet<string>;

export interface RangeQuery {
  /** Exclusive lower bound on the key. */
  after?: bigint;
  /** Exclusive upper bound on the key. */
  before?: bigint;
  /** Inclusive upper bound: the poller's settled cursor, so history never runs ahead of the stream. */
  upTo: bigint;
  /** Inclusive time range on the timestamp column. */
  from?: Date;
  to?: Date;
  limit: number;
  /** Take the newest rows of the range (still returned in ascending order). */
  newest?: boolean;
  /** Only rows whose column equals the value (events mode: one entity's changelog rows). */
  match?: { column: string; value: string };
}

/** Which old rows `prune` deletes: key ≤ upTo and timestamp < olderThan, oldest first, at most `limit`. */
export interface PruneQuery {
  upTo: bigint;
  olderThan: Date;
  limit: number;
}

export interface Dialect {
  readonly name: "postgres" | "pglite" | "mysql" | "mariadb";
  /** Tables with a single-column integer primary key, for zero-configuration discovery. */
  discoverTables(): Promise<DiscoveredTable[]>;
  /** Every table of the current database/schemas with its primary key, watchable or not, in name order. */
  listTables(): Promise<TableListing[]>;
  /** Columns of a table, in table order; empty when the table does not exist. */
  columns(table: string): Promise<ColumnInfo[]>;
  /** Rows with key > after, ascending by key, at most `limit`, from one snapshot. */
  pollAfter(t: TableRef, after: bigint, limit: number): Promise<Row[]>;
  /** The highest key now visible. */
  head(t: TableRef): Promise<bigint | null>;
  /** The rows whose key is one of `keys` (at most 1000), ascending by key: the look-up of keys the cursor passed. */
  rowsAt(t: TableRef, keys: bigint[]): Promise<Row[]>;
  /**
   * The transactions that, at the moment of the call, may still commit a key into the table: every
   * transaction that has taken a key and not yet ended must be among them.
   */
  writers(t: TableRef): Promise<Writers>;
  /** Rows for history, replay and snapshots. */
  range(t: TableRef, q: RangeQuery): Promise<Row[]>;
  /** Deletes one batch of old rows (events mode retention); returns how many it deleted. */
  prune(t: TableRef, q: PruneQuery): Promise<number>;
  /**
   * Row count: exact for small tables (only keys ≤ `upTo` when given, so it agrees with a poller that
   * counts the rows past its start position), the planner's estimate for large ones.
   */
  countRows(t: TableRef, upTo?: bigint): Promise<{ count: number; estimated: boolean }>;
  /** Raises when the database cannot be reached. */
  ping(): Promise<void>;
  /** What can wake the poller when rows commit (doorbell.ts); absent: nothing, polling alone (MySQL, MariaDB). */
  readonly doorbells?: Doorbells;
  /** Runs SQL text as given (demo schema, migrations, tests). */
  execute(sql: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `keys` as bound parameters of `rowsAt`, padded (by repeating the last) to one of a few lengths, so a
 * statement cache holds a handful of statements, not one per count.
 */
export function lookupParams(keys: bigint[]): string[] {
  const size = [1, 8, 64, 256, 1000].find((n) => n >= keys.length) ?? keys.length;
  const out = keys.map(String);
  while (out.length < size) out.push(out[out.length - 1]!);
  return out;
}

/** Tables larger than this are never `COUNT(*)`ed: the planner's estimate is used and kept current by the poller. */
export const EXACT_COUNT_LIMIT = 200_000;
