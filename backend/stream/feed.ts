/**
 * What the broadcaster needs from a source of changes for one entity. Table mode reads the entity's own
 * table (TableFeed); the events mode reads the `db_events` changelog. Both expose the same settled
 * position, so replays and history never run ahead of the live stream.
 */
import type { ChangeType, Row } from "../../contract/index.ts";
import type { Dialect } from "../db/dialect.ts";
import { parseRowId } from "../../contract/index.ts";
import type { Entity } from "../entities.ts";
import type { Poller } from "../poller/poller.ts";

export interface Change {
  type: ChangeType;
  /** Stream position (row key in table mode, changelog id in events mode). */
  id: bigint;
  data: Row;
  /** Events mode: the changed row's key. */
  key?: bigint;
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
}

export class TableFeed implements EntityFeed {
  constructor(
    readonly entity: Entity,
    private readonly poller: Poller,
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

  latest(upTo: bigint, limit: number): Promise<Row[]> {
    return this.dialect.range(this.entity.ref, { upTo, limit, newest: true });
  }

  async changes(after: bigint, upTo: bigint, limit: number): Promise<Change[]> {
    const rows = await this.dialect.range(this.entity.ref, { after, upTo, limit });
    return rows.map((data) => ({ type: "insert", id: parseRowId(data[this.entity.ref.key]), data }));
  }
}
