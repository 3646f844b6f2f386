/**
 * What the broadcaster and the history route need from a source of changes for one entity. Table mode
 * reads the entity's own table (TableFeed); the events mode reads the `db_events` changelog. Both expose
 * the same settled position, so replays and history never run ahead of the live stream.
 */
import type { ChangeType, Row } from "../../contract/index.ts";
import type { Dialect } from "../db/dialect.ts";
import { SIGNED_64, type KeyRange } from "../db/key-range.ts";
import { parseRowId } from "../../contract/index.ts";
import type { Entity } from "../entities.ts";
import type { PollLoop } from "../poller/mode-stream.ts";

export interface Change {
  type: ChangeType;
  /** Stream position (row key in table mode, changelog id in events mode). */
  id: bigint;
  data: Row;
  /** Events mode: the changed row's key. */
  key?: bigint;
  /**
   * A row whose key the stream passed at `gap_timeout_ms`, committed since: below the position, sent
   * once to the clients already past it (Session.deliverLate).
   */
  late?: true;
}

/** One page of history (`GET /api/entities/:name/records`): bounds on the key and the time, and its size. */
export interface PageQuery {
  /** Exclusive lower bound on the key: the page is the oldest rows after it; without it, the newest rows. */
  after?: bigint;
  /** Exclusive upper bound on the key. */
  before?: bigint;
  from?: Date;
  to?: Date;
  limit: number;
}

export interface Page {
  /** Oldest first. */
  records: Row[];
  /** The stream position the page was read at: resuming the live stream from here misses nothing. */
  cursor: bigint;
  /** More rows match beyond the page (older ones for a newest page, newer ones after `after`). */
  hasMore: boolean;
}

export interface EntityFeed {
  readonly entity: Entity;
  /** Everything up to here has been published or will never exist; null until `ready`. */
  readonly position: bigint | null;
  readonly ready: Promise<void>;
  /** The highest entity-table key history may return: the position in table mode, unbounded in events mode. */
  historyBound(): bigint;
  /** The newest rows at or below `upTo`, oldest first. */
  latest(upTo: bigint, limit: number): Promise<Row[]>;
  /** Changes in (after, upTo], ascending. */
  changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]>;
  /** A page of the entity table's rows, once the position is settled. */
  page(q: PageQuery): Promise<Page>;
  /** The values a stream position can take (the key's type in table mode); absent: a signed 64-bit integer. */
  readonly positionRange?: KeyRange;
  /** A position the stream passed at the gap timeout and still looks up: its row, once committed, comes as a late change. */
  isPassed?(id: bigint): boolean;
}

/** What a resume cursor of `feed` may be: a stream position outside this names no row that can exist. */
export function positionRange(feed: Pick<EntityFeed, "positionRange">): KeyRange {
  return feed.positionRange ?? SIGNED_64;
}

/** The page both feeds read: one row more than asked tells whether there are more. */
export async function readPage(feed: EntityFeed, dialect: Dialect, q: PageQuery): Promise<Page> {
  await feed.ready;
  // Table mode: the stream position bounds the keys; events mode: the changelog position is the cursor.
  const upTo = feed.historyBound();
  const cursor = feed.position!;
  const newest = q.after === undefined;
  const rows = await dialect.range(feed.entity.ref, { upTo, after: q.after, before: q.before, from: q.from, to: q.to, limit: q.limit + 1, newest });
  const hasMore = rows.length > q.limit;
  // A newest page drops its oldest row, a page after a key its newest.
  const records = hasMore ? (newest ? rows.slice(1) : rows.slice(0, q.limit)) : rows;
  return { records, cursor, hasMore };
}

export class TableFeed implements EntityFeed {
  constructor(
    readonly entity: Entity,
    private readonly poller: PollLoop,
    private readonly dialect: Dialect,
  ) {}

  get position(): bigint | null {
    return this.poller.position;
  }

  get ready(): Promise<void> {
    return this.poller.ready;
  }

  historyBound(): bigint {
    return this.poller.position!;
  }

  get positionRange(): KeyRange | undefined {
    return this.entity.ref.keyRange;
  }

  isPassed(id: bigint): boolean {
    return this.poller.isPassed(id);
  }

  /** Without the rows of passed keys: they come as late changes. */
  async latest(upTo: bigint, limit: number): Promise<Row[]> {
    const rows = await this.dialect.range(this.entity.ref, { upTo, limit, newest: true });
    return rows.filter((r) => !this.poller.isPassed(parseRowId(r[this.entity.ref.key])));
  }

  async changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]> {
    const rows = await this.dialect.range(this.entity.ref, { after, upTo, limit });
    return rows.map((data) => ({ type: "insert", id: parseRowId(data[this.entity.ref.key]), data }));
  }

  page(q: PageQuery): Promise<Page> {
    return readPage(this, this.dialect, q);
  }
}
