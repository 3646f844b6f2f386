/**
 * The stream position of one entity, safe against out-of-order commits.
 *
 * Keys are assigned in order but committed in any order, so `WHERE key > last` alone skips a row whose
 * transaction commits after a higher key was read. The cursor therefore only passes a missing key
 * (a gap) when the dialect's horizon shows that every transaction open when the gap was first seen has
 * ended (plus a short grace, for a key taken by a transaction that had no transaction id yet), or after
 * `timeoutMs` as a last resort against a transaction that never ends.
 */
import type { Row } from "../../contract/server-messages.ts";
import type { Horizon } from "../db/dialect.ts";
import { toKey } from "../db/json-safe.ts";

export interface GapPolicy {
  horizonPassed(fence: Horizon, now: Horizon): boolean;
  graceMs: number;
  timeoutMs: number;
}

interface Gap {
  fence: Horizon;
  seenAt: number;
}

export interface Advance {
  /** Rows to deliver now, ascending and contiguous with what came before. */
  rows: Row[];
  keys: bigint[];
  /** Keys given up as never to appear (rolled back, deleted, or timed out). */
  skipped: { from: bigint; to: bigint; reason: "ended" | "timeout" }[];
  /** A gap still holds rows back. */
  blocked: boolean;
}

export class GapCursor {
  private readonly gaps = new Map<bigint, Gap>();

  constructor(
    /** Every key up to and including this one has been delivered or will never exist. */
    public position: bigint,
    private readonly keyColumn: string,
    private readonly policy: GapPolicy,
  ) {}

  /** The oldest gap holding the stream back, if any. */
  get oldestGap(): { after: bigint; since: number } | null {
    let oldest: { after: bigint; since: number } | null = null;
    for (const [start, g] of this.gaps) if (!oldest || g.seenAt < oldest.since) oldest = { after: start - 1n, since: g.seenAt };
    return oldest;
  }

  /** Takes the rows of one poll (keys > position, ascending, one snapshot) and returns what may be delivered. */
  advance(rows: Row[], horizon: Horizon, now: number): Advance {
    const out: Advance = { rows: [], keys: [], skipped: [], blocked: false };
    let expect = this.position + 1n;
    for (const row of rows) {
      const key = toKey(row[this.keyColumn]);
      if (key < expect) continue; // cannot happen with a correct query; never deliver twice
      if (key > expect) {
        const gap = this.gaps.get(expect);
        if (!gap) {
          this.gaps.set(expect, { fence: horizon, seenAt: now });
          out.blocked = true;
        } else if (!out.blocked && this.policy.horizonPassed(gap.fence, horizon) && now - gap.seenAt >= this.policy.graceMs) {
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
    return out;
  }
}
