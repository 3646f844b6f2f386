/**
 * One entity as the browser holds it: the latest rows (at most `capacity`), the stream position
 * (`lastId`, the resume cursor) and who listens. Rows at or below the position are dropped, so a row
 * replayed after a reconnect or a re-subscription is never shown twice.
 */
import type { ChangeMessage, Row, RowId } from "../../contract/index.ts";
import { idAfter, normaliseId } from "./row-id.ts";

export interface StoredRow {
  id: RowId;
  data: Row;
}

export interface StreamListener {
  /** The rows were replaced by a snapshot (first subscription, or one without a cursor). */
  snapshot?(rows: StoredRow[]): void;
  /** New rows, ascending. */
  append?(rows: StoredRow[]): void;
  /** The stream can be shown: its snapshot or replay is complete. */
  ready?(): void;
  /** The backend refused this entity. */
  failed?(message: string): void;
}

export class EntityStream {
  rows: StoredRow[] = [];
  /** Position of the newest row held; the resume cursor. */
  lastId: RowId | null = null;
  ready = false;
  error: string | null = null;
  readonly listeners = new Set<StreamListener>();

  constructor(
    readonly name: string,
    public key: string,
    public capacity: number,
  ) {}

  applySnapshot(data: Row[], lastId: RowId | null): void {
    this.rows = data.slice(-this.capacity).map((row) => ({ id: normaliseId(row[this.key] as RowId), data: row }));
    const newest = this.rows[this.rows.length - 1]?.id ?? null;
    this.lastId = lastId === null ? newest : normaliseId(lastId);
    this.error = null;
    for (const l of this.listeners) l.snapshot?.(this.rows);
  }

  /** Appends the changes past the position, in order; returns how many were new. */
  applyChanges(changes: ChangeMessage[]): number {
    const fresh: StoredRow[] = [];
    for (const c of changes) {
      if (!idAfter(c.id, this.lastId)) continue;
      const row = { id: normaliseId(c.id), data: c.data };
      fresh.push(row);
      this.lastId = row.id;
    }
    if (fresh.length === 0) return 0;
    this.rows.push(...fresh);
    if (this.rows.length > this.capacity) this.rows.splice(0, this.rows.length - this.capacity);
    for (const l of this.listeners) l.append?.(fresh);
    return fresh.length;
  }

  markReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const l of this.listeners) l.ready?.();
  }

  fail(message: string): void {
    this.error = message;
    for (const l of this.listeners) l.failed?.(message);
  }
}
