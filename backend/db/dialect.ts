/**
 * The database seam. Everything dialect-specific (SQL text, identifier quoting, type mapping, the
 * transaction-liveness horizon) lives behind this interface; the poller, broadcaster and routes only
 * see JSON-safe rows and opaque horizons.
 */
import type { FieldType } from "../../contract/rest.ts";
import type { Row } from "../../contract/server-messages.ts";

export interface ColumnInfo {
  name: string;
  type: FieldType;
  /** The database's own type name, for messages. */
  dbType: string;
}

export interface DiscoveredTable {
  /** Unqualified when in the default schema, otherwise `schema.table`. */
  table: string;
  key: string;
  keyType: FieldType;
}

/** A table as the dialect addresses it: names come only from configuration or introspection. */
export interface TableRef {
  table: string;
  key: string;
  /** Column holding the insert time, for time-range history. */
  timestamp?: string;
}

/**
 * Evidence about in-flight transactions, taken in the same snapshot as the rows it accompanies.
 * Opaque to the poller: only the dialect compares horizons.
 */
export type Horizon = unknown;

export interface PollResult {
  /** Rows with key > after, ascending by key, at most `limit`. */
  rows: Row[];
  horizon: Horizon;
}

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
}

export interface Dialect {
  readonly name: "postgres" | "pglite" | "mysql" | "mariadb";
  /** Tables with a single-column integer primary key, for zero-configuration discovery. */
  discoverTables(): Promise<DiscoveredTable[]>;
  /** Columns of a table, in table order; empty when the table does not exist. */
  columns(table: string): Promise<ColumnInfo[]>;
  /** The next rows after `after`, and the horizon of the same snapshot. */
  pollAfter(t: TableRef, after: bigint, limit: number): Promise<PollResult>;
  /** The highest key now visible, and the horizon of that snapshot. */
  head(t: TableRef): Promise<{ maxKey: bigint | null; horizon: Horizon }>;
  /** Keys present in (after, upTo], ascending: used to tell pre-existing rows from late commits at start. */
  keysBetween(t: TableRef, after: bigint, upTo: bigint): Promise<bigint[]>;
  /** Rows for history, replay and snapshots. */
  range(t: TableRef, q: RangeQuery): Promise<Row[]>;
  /**
   * True when every transaction that was in progress at `fence` has ended by `now` (so an id that was
   * invisible at `fence` and is still invisible in the snapshot of `now` will never appear).
   */
  horizonPassed(fence: Horizon, now: Horizon): boolean;
  /** Row count: exact for small tables, the planner's estimate for large ones. */
  countRows(table: string): Promise<{ count: number; estimated: boolean }>;
  /** Raises when the database cannot be reached. */
  ping(): Promise<void>;
  /** Runs SQL text as given (demo schema, migrations, tests). */
  execute(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Tables larger than this are never `COUNT(*)`ed: the planner's estimate is used and kept current by the poller. */
export const EXACT_COUNT_LIMIT = 200_000;
