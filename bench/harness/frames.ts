/**
 * Reading row ids out of received frames without JSON.parse: at 1,000 clients the parse would cost more
 * than the server under test. Every design's row message carries the row under `"data"`, and the bench
 * table's first column is `id`, so each row in a frame begins `"data":{"id":` followed by the id, bare
 * or quoted (64-bit integers arrive as strings). A batch frame holds several. tests/bench checks this
 * reading against a full parse of each design's frames.
 */
const MARK = Buffer.from('"data":{"id":');
const TYPE = Buffer.from('{"type":"');

export type FrameKind = "rows" | "subscribed" | "lagging" | "error" | "other";

/** Appends the ids of the rows in `frame` to `out` and returns how many it found. */
export function rowIds(frame: Buffer, out: number[]): number {
  let found = 0;
  let at = frame.indexOf(MARK);
  while (at >= 0) {
    let i = at + MARK.length;
    if (frame[i] === 0x22) i++; // opening quote of a string id
    let id = 0;
    let digits = 0;
    for (let c = frame[i]!; c >= 0x30 && c <= 0x39; c = frame[++i]!) {
      id = id * 10 + (c - 0x30);
      digits++;
    }
    if (digits > 0) {
      out.push(id);
      found++;
    }
    at = frame.indexOf(MARK, i);
  }
  return found;
}

/** What a frame without rows is, from its `type` (nomnom-live control messages). */
export function controlKind(frame: Buffer): FrameKind {
  if (frame.length < 12 || frame.compare(TYPE, 0, TYPE.length, 0, TYPE.length) !== 0) return "other";
  const t = frame.toString("latin1", TYPE.length, Math.min(frame.length, TYPE.length + 12));
  if (t.startsWith("subscribed")) return "subscribed";
  if (t.startsWith("lagging")) return "lagging";
  if (t.startsWith("error")) return "error";
  return "other";
}
