/**
 * One entity as the browser holds it: the latest rows (at most `capacity`), the stream position
 * (`lastId`, the resume cursor) and who listens. Changes at or below the position are dropped, so a
 * change replayed after a reconnect or a re-subscription is never applied twice.
 *
 * The rows are the entity's current state: an insert appends a row, an update (events mode) replaces
 * the row with the same key where it is, a delete removes it. In table mode every change is an insert.
 *
 * A `late` change (a row the backend passed at its gap timeout, committed since) is below the position:
 * it is applied in key order, once, and the position stays.
 */
import type { ChangeMessage, ChangeType, Row, RowId } from "../../contract/index.ts";
import { idAfter, normaliseId } from "../../contract/index.ts";

export interface StoredRow {
  /** The stream position at which this row became what it is (its key in table mode). */
  id: RowId;
  data: Row;
}

/** A change as listeners get it: the row it leaves, at its stream position. */
export interface StoredChange extends StoredRow {
  type: ChangeType;
  /** The changed row's key. */
  key: RowId;
  /**
   * Events mode: a snapshot row, the row's state as of `id` — a whole snapshot shares one position, so
   * its rows apply together (the first one moving the cursor does not make the rest look old).
   */
  state?: true;
  /** Below the stream position (committed after the backend passed its key): applied without moving it. */
  late?: true;
}

export interface StreamListener {
  /** The rows were replaced by a snapshot (first subscription, or one without a cursor). */
  snapshot?(rows: StoredRow[]): void;
  /** New changes, ascending. */
  append?(changes: StoredChange[]): void;
  /** The stream can be shown: its snapshot or replay is complete. */
  ready?(): void;
  /** The backend refused this entity. */
  failed?(message: string): void;
  /** A passing problem (the database does not answer); cleared when rows flow again. */
  problem?(message: string | null): void;
}

function sameKey(a: RowId, b: RowId): boolean {
  return String(normaliseId(a)) === String(normaliseId(b));
}

/** Applies a late change in position order; false when it changes nothing (its insert is already held). */
function applyLate(rows: StoredRow[], c: StoredChange, keyColumn: string): boolean {
  const at = rows.findIndex((r) => r.data[keyColumn] !== undefined && r.data[keyColumn] !== null && sameKey(r.data[keyColumn] as RowId, c.key));
  if (c.type === "delete") {
    if (at >= 0) rows.splice(at, 1);
    return at >= 0;
  }
  if (at >= 0) {
    if (c.type === "insert") return false;
    rows[at] = { id: c.id, data: c.data };
    return true;
  }
  const next = rows.findIndex((r) => idAfter(r.id, c.id));
  rows.splice(next < 0 ? rows.length : next, 0, { id: c.id, data: c.data });
  return true;
}

/**
 * Applies changes, ascending, past `cursor` to `rows` (kept to `capacity`, oldest dropped first).
 * Returns the new cursor and the changes applied, so history frames and live streams agree.
 */
export function applyToRows(rows: StoredRow[], changes: StoredChange[], cursor: RowId | null, capacity: number, keyColumn: string): { cursor: RowId | null; applied: StoredChange[] } {
  const applied: StoredChange[] = [];
  /** The position of the snapshot whose rows are being applied, while they are. */
  let stateAt: RowId | null = null;
  for (const c of changes) {
    if (c.late) {
      if (applyLate(rows, c, keyColumn)) applied.push(c);
      continue;
    }
    const sameSnapshot = c.state === true && stateAt !== null && sameKey(c.id, stateAt);
    if (!sameSnapshot && !idAfter(c.id, cursor)) continue;
    stateAt = c.state ? c.id : null;
    cursor = c.id;
    applied.push(c);
    if (c.type === "insert") {
      rows.push({ id: c.id, data: c.data });
      continue;
    }
    const at = rows.findIndex((r) => r.data[keyColumn] !== undefined && r.data[keyColumn] !== null && sameKey(r.data[keyColumn] as RowId, c.key));
    if (c.type === "delete") {
      if (at >= 0) rows.splice(at, 1);
    } else if (at >= 0) rows[at] = { id: c.id, data: c.data };
    else rows.push({ id: c.id, data: c.data }); // updated before we held it: it is current state all the same
  }
  if (rows.length > capacity) rows.splice(0, rows.length - capacity);
  return { cursor, applied };
}

/** A wire change as the browser keeps it. */
export function storedChange(c: ChangeMessage, keyColumn: string): StoredChange {
  const id = normaliseId(c.id);
  const key = c.key !== undefined ? normaliseId(c.key) : ((c.data[keyColumn] as RowId | undefined) ?? id);
  return { type: c.event_type ?? c.type, id, key, data: c.data, ...(c.late ? { late: true as const } : {}) };
}

export class EntityStream {
  rows: StoredRow[] = [];
  /** Position of the newest change held; the resume cursor. */
  lastId: RowId | null = null;
  ready = false;
  error: string | null = null;
  problem: string | null = null;
  /** Changes applied since the stream started (the panel's "new while paused" count). */
  changes = 0;
  readonly listeners = new Set<StreamListener>();

  constructor(
    readonly name: string,
    public key: string,
    public capacity: number,
  ) {}

  /**
   * Rows as of position `lastId`. In table mode a row's position is its key; in events mode the rows are
   * the table's current state, every one as of the snapshot's position.
   */
  applySnapshot(data: Row[], lastId: RowId | null, mode: "table" | "events" = "table"): void {
    const at = lastId === null ? null : normaliseId(lastId);
    this.rows = data.slice(-this.capacity).map((row) => ({ id: mode === "events" && at !== null ? at : normaliseId(row[this.key] as RowId), data: row }));
    const newest = this.rows[this.rows.length - 1]?.id ?? null;
    this.lastId = at ?? newest;
    this.error = null;
    this.setProblem(null);
    for (const l of this.listeners) l.snapshot?.(this.rows);
  }

  /** Applies the changes past the position, in order; returns how many were new. */
  applyChanges(changes: ChangeMessage[]): number {
    const { cursor, applied } = applyToRows(
      this.rows,
      changes.map((c) => storedChange(c, this.key)),
      this.lastId,
      this.capacity,
      this.key,
    );
    if (applied.length === 0) return 0;
    this.lastId = cursor;
    this.changes += applied.length;
    this.setProblem(null);
    for (const l of this.listeners) l.append?.(applied);
    return applied.length;
  }

  markReady(): void {
    this.setProblem(null);
    if (this.ready) return;
    this.ready = true;
    for (const l of this.listeners) l.ready?.();
  }

  fail(message: string): void {
    this.error = message;
    for (const l of this.listeners) l.failed?.(message);
  }

  setProblem(message: string | null): void {
    if (this.problem === message) return;
    this.problem = message;
    for (const l of this.listeners) l.problem?.(message);
  }
}
