/**
 * What the poller of an entity tells the other replicas over the bus, one subject per poll loop
 * (`<cluster.name>.poll.<entity>`):
 *
 * - `rows`: one poll's new rows and the positions around them — `prev`, where the poller's stream stood
 *   before, and `to`, where it stands after. A follower at `prev` applies them and moves to `to`; one
 *   behind `prev` has missed something (a message lost on the bus) and reads (its position, prev] from
 *   the database first; the database is the source of truth, so at-most-once delivery is enough.
 * - `beat`: the poller is alive, at `position` (null while its start is being settled). Sent when
 *   nothing else was for a while, so followers of a quiet entity still see holes and the poller's death.
 * - `late`: rows of keys the stream passed at the gap timeout, committed since (below the position).
 * - `resign`: the poller stops (its replica shuts down): followers contend for its lock at once.
 *
 * JSON, with positions as decimal strings (64-bit keys). Rows are JSON-safe already (db/json-safe.ts),
 * so a follower's clients get exactly the frames the poller's get. A poll larger than the bus takes
 * in one message is split into contiguous parts; a single row larger than that is left to the
 * followers to read from the database (a `beat` past it shows them the hole).
 */
import type { Row } from "../../contract/index.ts";

export type BusMessage =
  | { kind: "rows"; replica: string; at: number; prev: bigint; to: bigint; rows: Row[]; keys: bigint[] }
  | { kind: "beat"; replica: string; at: number; position: bigint | null }
  | { kind: "late"; replica: string; at: number; rows: Row[]; keys: bigint[] }
  | { kind: "resign"; replica: string; at: number };

interface Wire {
  v: 1;
  k: BusMessage["kind"];
  r: string;
  at: number;
  p?: string | null;
  t?: string;
  rows?: Row[];
  keys?: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The subject of a poll loop: entity names may hold spaces and `-`, which subjects must not (or should not) carry as they are. */
export function pollSubject(cluster: string, loop: string): string {
  return `${cluster}.poll.${loop.replace(/[^A-Za-z0-9_]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}`;
}

function wire(m: BusMessage): Wire {
  const base = { v: 1 as const, k: m.kind, r: m.replica, at: m.at };
  switch (m.kind) {
    case "rows":
      return { ...base, p: m.prev.toString(), t: m.to.toString(), rows: m.rows, keys: m.keys.map(String) };
    case "beat":
      return { ...base, p: m.position === null ? null : m.position.toString() };
    case "late":
      return { ...base, rows: m.rows, keys: m.keys.map(String) };
    case "resign":
      return base;
  }
}

export function encodeMessage(m: BusMessage): Uint8Array {
  return encoder.encode(JSON.stringify(wire(m)));
}

/**
 * One poll's rows as messages of at most `maxBytes` each, contiguous: each part's `prev` is the one
 * before's `to`. A row too large for any message is left out, and the part after it starts past it —
 * the hole the followers fill from the database (a beat when it was the last row).
 */
export function encodeRows(m: Extract<BusMessage, { kind: "rows" }>, maxBytes: number): Uint8Array[] {
  const whole = encodeMessage(m);
  if (whole.length <= maxBytes) return [whole];
  if (m.rows.length <= 1) return [encodeMessage({ kind: "beat", replica: m.replica, at: m.at, position: m.to })];
  const half = Math.ceil(m.rows.length / 2);
  const middle = m.keys[half - 1]!;
  return [
    ...encodeRows({ ...m, to: middle, rows: m.rows.slice(0, half), keys: m.keys.slice(0, half) }, maxBytes),
    ...encodeRows({ ...m, prev: middle, rows: m.rows.slice(half), keys: m.keys.slice(half) }, maxBytes),
  ];
}

/** The message, or null for anything that is not one (another version, another program on the subject). */
export function decodeMessage(data: Uint8Array): BusMessage | null {
  let w: Wire;
  try {
    w = JSON.parse(decoder.decode(data)) as Wire;
  } catch {
    return null;
  }
  if (w?.v !== 1 || typeof w.r !== "string" || typeof w.at !== "number") return null;
  const base = { replica: w.r, at: w.at };
  try {
    switch (w.k) {
      case "rows": {
        const keys = (w.keys ?? []).map((k) => BigInt(k));
        if (!Array.isArray(w.rows) || w.rows.length !== keys.length || w.p == null || w.t === undefined) return null;
        return { kind: "rows", ...base, prev: BigInt(w.p), to: BigInt(w.t), rows: w.rows, keys };
      }
      case "beat":
        return { kind: "beat", ...base, position: w.p == null ? null : BigInt(w.p) };
      case "late": {
        const keys = (w.keys ?? []).map((k) => BigInt(k));
        if (!Array.isArray(w.rows) || w.rows.length !== keys.length) return null;
        return { kind: "late", ...base, rows: w.rows, keys };
      }
      case "resign":
        return { kind: "resign", ...base };
      default:
        return null;
    }
  } catch {
    return null; // a position that is not an integer
  }
}
