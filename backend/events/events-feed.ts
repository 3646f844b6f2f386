/**
 * The events mode's feed of one entity. A single poller follows the whole `db_events` changelog with
 * the gap-safe cursor (its ids are serial/auto-increment, so they commit out of order like any key);
 * each change goes to its entity's subscribers. The stream position of every entity is the changelog
 * position, so resume cursors are changelog ids and replays read `db_events`.
 */
import type { Row } from "../../contract/index.ts";
import type { ColumnInfo, Dialect } from "../db/dialect.ts";
import { parseRowId } from "../../contract/index.ts";
import type { Entity } from "../entities.ts";
import type { PollLoop } from "../poller/mode-stream.ts";
import { readPage, type Change, type EntityFeed, type Page, type PageQuery } from "../stream/feed.ts";
import { EVENTS_REF } from "./changelog.ts";
import { decodePayload } from "./payload.ts";

/** No key bound: the entity table's rows are not ordered by the changelog position. */
const UNBOUNDED = (1n << 63n) - 1n;
/** Snapshot: at most this many later changelog rows are read to leave out rows whose insert is still to come. */
const LATER_INSERTS_LIMIT = 100_000;

const CHANGE_TYPES = new Set(["insert", "update", "delete"]);

export class EventsFeed implements EntityFeed {
  private readonly columns: ReadonlyMap<string, ColumnInfo>;

  constructor(
    readonly entity: Entity,
    private readonly poller: PollLoop,
    private readonly dialect: Dialect,
    columns: ColumnInfo[],
  ) {
    this.columns = new Map(columns.map((c) => [c.name, c]));
  }

  get position(): bigint | null {
    return this.poller.position;
  }

  get ready(): Promise<void> {
    return this.poller.ready;
  }

  /** A changelog id the stream passed and still looks up: its change comes as late. */
  isPassed(id: bigint): boolean {
    return this.poller.isPassed(id);
  }

  historyBound(): bigint {
    return this.entity.ref.keyRange?.max ?? UNBOUNDED; // the key type's own maximum: an unsigned key goes past 2^63
  }

  /** A changelog row as a change of this entity (the table's CHECK constraint admits only the three types). */
  toChange(row: Row): Change {
    const type = String(row.event_type);
    if (!CHANGE_TYPES.has(type)) throw new Error(`db_events row ${String(row.id)} has event_type "${type}"; expected insert, update or delete`);
    return {
      type: type as Change["type"],
      id: parseRowId(row.id),
      data: decodePayload(row.payload, this.columns),
      ...(row.row_key === null || row.row_key === undefined ? {} : { key: parseRowId(row.row_key) }),
    };
  }

  /**
   * The entity table's newest rows, without those whose insert comes after `upTo` in the changelog
   * (they arrive as insert events, so no row is inserted twice). A row changed after `upTo` shows its
   * newer state; the update or delete that follows is then applied to the same key again.
   */
  async latest(upTo: bigint, limit: number): Promise<Row[]> {
    const rows = await this.dialect.range(this.entity.ref, { upTo: this.historyBound(), limit, newest: true });
    const later = await this.dialect.range(EVENTS_REF, { after: upTo, upTo: UNBOUNDED, limit: LATER_INSERTS_LIMIT, match: { column: "entity", value: this.entity.info.name } });
    const insertedLater = new Set(later.filter((e) => e.event_type === "insert" && e.row_key !== null).map((e) => parseRowId(e.row_key).toString()));
    if (insertedLater.size === 0) return rows;
    return rows.filter((r) => !insertedLater.has(parseRowId(r[this.entity.ref.key]).toString()));
  }

  async changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]> {
    const rows = await this.dialect.range(EVENTS_REF, { after, upTo, limit, match: { column: "entity", value: this.entity.info.name } });
    return rows.map((row) => this.toChange(row));
  }

  /** The entity table's rows, unbounded by the key; the cursor is the changelog position. */
  page(q: PageQuery): Promise<Page> {
    return readPage(this, this.dialect, q);
  }
}
