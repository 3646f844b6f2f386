/**
 * The stream position of one entity, safe against out-of-order commits.
 *
 * Keys are assigned in order but committed in any order, so `WHERE key > last` alone skips a row whose
 * transaction commits after a higher key was read. The cursor never passes a missing key (a gap) on a
 * guess. When a poll shows a gap, the poller then reads the table's *writers* (the transactions that can
 * still commit a key into it; on PostgreSQL those holding a write lock on the table) and that set becomes
 * the gap's fence. The gap is passed only when a later writers reading, taken *before* the snapshot of
 * the rows being judged, shares no transaction with the fence: the missing key's transaction has then
 * ended, and had it committed, its row would be in that snapshot. `timeoutMs` is the last resort against
 * a transaction that never ends (logged and counted when used).
 */
import type { Row } from "../../contract/index.ts";
import type { Writers } from "../db/dialect.ts";
import { parseRowId } from "../../contract/index.ts";

export interface GapPolicy {
  timeoutMs: number;
}

interface Gap {
  /** Writers read right after the gap was first seen; null until that reading arrives. */
  fence: Writers | null;
  seenAt: number;
}

export interface Advance {
  /** Rows to deliver now, ascending and contiguous with what came before. */
  rows: Row[];
  keys: bigint[];
  /** Keys given up as never to appear (rolled back or deleted: "ended"; open past the timeout: "timeout"). */
  skipped: { from: bigint; to: bigint; reason: "ended" | "timeout" }[];
  /** A gap still holds rows back. */
  blocked: boolean;
}

function disjoint(a: Writers, b: Writers): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

export class GapCursor {
  private readonly gaps = new Map<bigint, Gap>();
  /** The latest writers reading; it was taken after every fence it is compared with, and before the next poll. */
  private evidence: Writers | null = null;

  constructor(
    /** Every key up to and including this one has been delivered or will never exist. */
    public position: bigint,
    private readonly keyColumn: string,
    private readonly policy: GapPolicy,
  ) {}

  /** True while some gap waits: the poller must then read the writers after each poll. */
  get hasGaps(): boolean {
    return this.gaps.size > 0;
  }

  /** The oldest gap holding the stream back, if any. */
  get oldestGap(): { after: bigint; since: number } | null {
    let oldest: { after: bigint; since: number } | null = null;
    for (const [start, g] of this.gaps) if (!oldest || g.seenAt < oldest.since) oldest = { after: start - 1n, since: g.seenAt };
    return oldest;
  }

  /**
   * Takes the rows of one poll (keys > position, ascending, one snapshot) and returns what may be
   * delivered. Gaps are judged against the writers reading recorded before this poll.
   */
  advance(rows: Row[], now: number): Advance {
    const out: Advance = { rows: [], keys: [], skipped: [], blocked: false };
    let expect = this.position + 1n;
    for (const row of rows) {
      const key = parseRowId(row[this.keyColumn]);
      if (key < expect) continue; // cannot happen with a correct query; never deliver twice
      if (key > expect) {
        const gap = this.gaps.get(expect);
        if (!gap) {
          this.gaps.set(expect, { fence: null, seenAt: now });
          out.blocked = true;
        } else if (!out.blocked && gap.fence && this.evidence && disjoint(gap.fence, this.evidence)) {
          out.skipped.push({ from: expect, to: key - 1n, reason: "ended" });
          this.gaps.delete(expect);
        } else if (!out.blocked && now - gap.seenAt >= this.policy.timeoutMs) {
          out.skipped.push({ from: expect, to: key - 1n, reason: "timeout" });
          this.gaps.delete(expect);
        } else {
          out.blocked = true;
        }
      }
      // Past the first unresolved gap we only note later gaps, so their fences start now.
      if (out.blocked) {
        expect = key + 1n;
        continue;
      }
      this.gaps.delete(key); // a gap that filled
      out.rows.push(row);
      out.keys.push(key);
      this.position = key;
      expect = key + 1n;
    }
    for (const start of this.gaps.keys()) if (start <= this.position) this.gaps.delete(start);
    if (this.gaps.size === 0) this.evidence = null;
    return out;
  }

  /** Records a writers reading taken after the last poll: the fence of every gap that has none, and the evidence for the next poll. */
  observeWriters(writers: Writers): void {
    for (const gap of this.gaps.values()) gap.fence ??= writers;
    this.evidence = writers;
  }
}
