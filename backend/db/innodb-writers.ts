/**
 * Which InnoDB transactions may still commit a key, from two readings taken in this order:
 *   1. the client threads executing a statement (information_schema.PROCESSLIST, always live);
 *   2. the running InnoDB transactions (information_schema.INNODB_TRX, proven fresh by the caller).
 * The reasoning (why both readings, why this order, why aliases) is in the header of
 * innodb-writers-reader.ts; this module is the bookkeeping, kept free of I/O so every transition can be
 * tested on its own.
 *
 * The result is a set of tokens; the gap cursor only asks whether two readings share a token, so a
 * transaction alive at both must show at least one common token (soundness), and tokens of ended
 * transactions should not come back (or a gap waits longer than needed — safe, only slower).
 *   x:<trx_id>            a transaction with a real (read-write) InnoDB id: unique for the server's life.
 *   r:<thread>:<started>  a transaction without one yet (printed as 0 by MariaDB, as a reused pointer
 *                         by MySQL). Started is to the second, so two transactions of one connection in
 *                         the same second look alike: a longer wait, never a missed writer.
 *   c:<thread>:<n>        a thread executing a statement before InnoDB started its transaction: the
 *                         window in which an auto-increment value is taken but no transaction shows.
 * A token of the last two kinds stays attached (an alias) to the transaction that thread goes on to run,
 * until that transaction ends, so a writer first seen in a weaker state is still recognised later.
 */

/** One row of PROCESSLIST that matters: a client thread and whether it is executing a statement. */
export interface ThreadSample {
  thread: string;
  busy: boolean;
}

/** One row of INNODB_TRX. */
export interface TrxSample {
  thread: string;
  id: string;
  started: string;
  rowsModified: number;
  /** START TRANSACTION READ ONLY, or an autocommit non-locking SELECT: it cannot write a row. */
  cannotWrite: boolean;
}

/**
 * A transaction that has not written gets no real id: MariaDB prints 0, MySQL a pointer with bit 48 set
 * (so it is reused). Real ids are positive and below 2^48.
 */
const FAKE_ID_FLOOR = 1n << 48n;

function isRealId(id: string): boolean {
  try {
    const n = BigInt(id);
    return n > 0n && n < FAKE_ID_FLOOR;
  } catch {
    return false;
  }
}

interface Alias {
  tokens: string[];
  /** The transaction (by start time) the tokens follow; null while the thread has none yet. */
  started: string | null;
}

export class InnodbWriterTracker {
  private aliases = new Map<string, Alias>();
  private counter = 0;

  /**
   * Takes one reading (threads read before transactions) and returns the writers' tokens. Readings must
   * be observed in the order they were taken.
   */
  observe(threads: ThreadSample[], trxs: TrxSample[]): Set<string> {
    const busy = new Set(threads.filter((t) => t.busy).map((t) => t.thread));
    const withTrx = new Set<string>();
    const out = new Set<string>();
    const next = new Map<string, Alias>();

    for (const trx of trxs) {
      if (trx.thread !== "0") withTrx.add(trx.thread);
      // A transaction that has written nothing and is not inside a statement holds no key: an
      // auto-increment value is taken and its row written within one statement.
      const included = !trx.cannotWrite && (trx.rowsModified > 0 || busy.has(trx.thread));
      if (!included) continue;
      const real = isRealId(trx.id);
      const primary = real ? `x:${trx.id}` : `r:${trx.thread}:${trx.started}`;
      out.add(primary);
      if (trx.thread === "0") continue; // prepared XA or recovered: always a real id, no thread to follow
      const previous = this.aliases.get(trx.thread);
      const tokens = previous && (previous.started === null || previous.started === trx.started) ? [...previous.tokens] : [];
      if (!real && !tokens.includes(primary)) tokens.push(primary);
      for (const t of tokens) out.add(t);
      if (tokens.length > 0) next.set(trx.thread, { tokens, started: trx.started });
    }

    for (const thread of busy) {
      if (withTrx.has(thread)) continue;
      const previous = this.aliases.get(thread);
      const tokens = previous && previous.started === null ? previous.tokens : [`c:${thread}:${++this.counter}`];
      for (const t of tokens) out.add(t);
      next.set(thread, { tokens, started: null });
    }

    this.aliases = next;
    return out;
  }
}
