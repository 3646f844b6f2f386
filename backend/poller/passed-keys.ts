/**
 * Keys the cursor passed at `gap_timeout_ms` with their transaction possibly still open. Such a row may
 * yet commit, below the stream position: live clients would never see it, and a replay from a cursor
 * past it would not carry it. So the poller keeps these keys (bounded) and looks them up on every
 * poll; a row found is published as a change marked `late`, once.
 *
 * A key is given up when its transaction has certainly ended without it: its fence (a writers reading
 * taken after the key was passed, which holds every transaction that could still commit it) shares
 * nothing with a later reading, and a look-up made after that later reading did not find it — as the
 * gap cursor reasons. A transaction that never ends is waited on up to `horizonMs`.
 */
import type { Writers } from "../db/dialect.ts";

/** At most this many keys are kept; more passed at once are not watched (logged). */
export const MAX_PASSED_KEYS = 10_000;
/** Keys looked up in one poll (the oldest first, then the rest on later polls). */
export const LOOKUP_KEYS = 1000;

interface Passed {
  /** A writers reading taken after the key was passed; null until one arrives. */
  fence: Writers | null;
  passedAt: number;
}

function disjoint(a: Writers, b: Writers): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

export class PassedKeys {
  private readonly keys = new Map<bigint, Passed>();
  /** The latest writers reading: taken after every fence, and before the next look-up. */
  private evidence: Writers | null = null;
  /** Where the next look-up starts, when more than LOOKUP_KEYS wait. */
  private turn = 0;

  constructor(private readonly horizonMs: number) {}

  get size(): number {
    return this.keys.size;
  }

  has(key: bigint): boolean {
    return this.keys.has(key);
  }

  /** Keeps the keys from..to (inclusive); returns how many could not be kept (past MAX_PASSED_KEYS). */
  add(from: bigint, to: bigint, now: number): number {
    let dropped = 0;
    for (let k = from; k <= to; k++) {
      if (this.keys.size >= MAX_PASSED_KEYS) {
        dropped = Number(to - k + 1n);
        break;
      }
      this.keys.set(k, { fence: null, passedAt: now });
    }
    return dropped;
  }

  /** The keys to look up now, ascending, at most LOOKUP_KEYS. */
  lookup(): bigint[] {
    const all = [...this.keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (all.length <= LOOKUP_KEYS) return all;
    if (this.turn >= all.length) this.turn = 0;
    const out = all.slice(this.turn, this.turn + LOOKUP_KEYS);
    this.turn += LOOKUP_KEYS;
    return out;
  }

  /**
   * The outcome of a look-up of `asked` that found `found`: found keys are forgotten (their rows are
   * to be published as late). Returns the keys given up: ended without a row, or past the horizon.
   */
  settle(asked: bigint[], found: bigint[], now: number): { ended: bigint[]; expired: bigint[] } {
    const out = { ended: [] as bigint[], expired: [] as bigint[] };
    const got = new Set(found);
    for (const k of asked) {
      const p = this.keys.get(k);
      if (!p) continue;
      if (got.has(k)) this.keys.delete(k);
      else if (p.fence && this.evidence && disjoint(p.fence, this.evidence)) {
        this.keys.delete(k);
        out.ended.push(k);
      } else if (now - p.passedAt >= this.horizonMs) {
        this.keys.delete(k);
        out.expired.push(k);
      }
    }
    if (this.keys.size === 0) this.evidence = null;
    return out;
  }

  /** A writers reading taken after the last look-up: the fence of keys that have none, and the evidence for the next look-up. */
  observeWriters(writers: Writers): void {
    for (const p of this.keys.values()) p.fence ??= writers;
    this.evidence = writers;
  }
}
