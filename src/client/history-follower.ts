/**
 * One entity of a History query: the newest `limit` rows of the time range from `/records`, and, when
 * the range ends at "now", every change of the entity's live stream after them.
 *
 * The stream is joined before the history is read, so nothing arriving meanwhile is lost: its changes
 * wait in `pending` until the history (and its `cursor`, the stream position it was read at) is there,
 * and only changes past the cursor apply — no duplicate. The stream may begin after the cursor (a
 * snapshot holds only the newest max_records rows), so each time it starts over the rows between are
 * read from `/records` before its changes apply — no gap.
 *
 * No Grafana here: the REST API and the live stream are interfaces (BackendApi and LiveClient have
 * them), so the unit tests run it against in-memory fakes.
 */
import { idAfter, type EntityInfo, type RowId } from "../../contract/index.ts";
import { applyToRows, type StoredChange, type StoredRow, type StreamListener } from "./entity-stream.ts";
import { readBetween, readNewest, type RecordsApi, type TimeBounds } from "./records-pager.ts";

/** What the follower needs of the live stream: LiveClient has it; tests fake it. */
export interface LiveStreams {
  /** The backend's polling mode; in events mode snapshot rows are the table's current state. */
  readonly mode: "table" | "events";
  /** The streams running now (shared with other queries), by entity name. */
  readonly streams: ReadonlyMap<string, { readonly rows: StoredRow[] }>;
  watch(info: EntityInfo, listener: StreamListener): { stop(): void };
}

export interface HistoryFollowerOptions {
  info: EntityInfo;
  api: RecordsApi;
  /** The live stream to follow "now" with; absent, the range is read once. */
  live?: LiveStreams;
  /** The time range (`to` absent when following). */
  range: TimeBounds;
  /** Rows kept: the newest `limit`. */
  limit: number;
  /** The history is loaded, or rows were added to it. */
  onChange(): void;
  /** Reading `/records` failed. */
  onError(e: unknown): void;
}

/**
 * Snapshot rows as changes: inserts in table mode; in events mode the table's current rows, each
 * replacing (or adding) the row with its key.
 */
function asChanges(rows: StoredRow[], keyColumn: string, mode: "table" | "events"): StoredChange[] {
  return rows.map((r) => {
    const key = (r.data[keyColumn] as RowId | undefined) ?? r.id;
    return mode === "events" ? { ...r, type: "update" as const, key, state: true as const } : { ...r, type: "insert" as const, key };
  });
}

export class HistoryFollower {
  /** The rows, ascending: the history, then the changes applied after it. */
  rows: StoredRow[] = [];
  /** Stream position of the newest change applied (first: the history's own cursor). */
  cursor: RowId | null = null;
  /** The history has been read. */
  loaded = false;
  /** Changes applied from the stream (see NomnomFrameMeta.received). */
  received = 0;
  /** The stream's changes are known to follow on from `cursor`. */
  private joined = false;
  private filling = false;
  private readonly pending: StoredChange[] = [];
  private stopped = false;
  private unwatch: (() => void) | null = null;

  constructor(private readonly options: HistoryFollowerOptions) {}

  /** Joins the stream (when following), then reads the history. */
  start(): void {
    const { info, live, api, range, limit } = this.options;
    if (live) {
      const { stop } = live.watch(info, {
        // A snapshot starts the stream over: its rows past the cursor may not follow on from it.
        snapshot: (rows) => {
          this.joined = false;
          this.pending.push(...asChanges(rows, info.key, live.mode));
          void this.drain();
        },
        append: (changes) => {
          this.pending.push(...changes);
          void this.drain();
        },
      });
      this.unwatch = stop;
    }
    void readNewest(api, info, range, limit).then(({ rows, cursor }) => {
      if (this.stopped) return;
      this.rows = rows;
      this.cursor = cursor;
      this.loaded = true;
      // A stream shared with another query may have held rows before this one joined: they count too.
      const held = live?.streams.get(info.name);
      if (live && held && this.pending.length === 0 && held.rows.length > 0) {
        this.joined = live.mode === "events" || held.rows.some((r) => !idAfter(r.id, cursor));
        this.pending.push(...asChanges(held.rows, info.key, live.mode));
      }
      this.options.onChange();
      void this.drain();
    }, (e: unknown) => this.options.onError(e));
  }

  /** Stops following: nothing more is read or applied. */
  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = null;
  }

  /**
   * Applies what the stream brought, first reading from `/records` any rows between the cursor and the
   * stream's first change past it, whenever the stream (re)started with a snapshot.
   */
  private async drain(): Promise<void> {
    if (!this.loaded || this.filling) return;
    const { info, live, api, limit } = this.options;
    this.filling = true;
    try {
      while (this.pending.length > 0 && !this.stopped) {
        const first = this.pending.find((c) => idAfter(c.id, this.cursor));
        if (!first) {
          this.pending.length = 0;
          break;
        }
        if (!this.joined && live?.mode === "table") {
          const between = await readBetween(api, info, this.cursor, first.id, limit);
          if (this.stopped) return;
          this.cursor = applyToRows(this.rows, between, this.cursor, limit, info.key).cursor;
        }
        this.joined = true;
        const changes = this.pending.splice(0);
        const { cursor, applied } = applyToRows(this.rows, changes, this.cursor, limit, info.key);
        this.cursor = cursor;
        this.received += applied.length;
      }
      this.options.onChange();
    } catch (e) {
      this.options.onError(e);
    } finally {
      this.filling = false;
    }
    if (this.pending.length > 0) void this.drain();
  }
}
