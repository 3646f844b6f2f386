/**
 * Serialisation of server messages. Change frames are built once per change and shared by every
 * client, and framed for the WebSocket wire once per publish: one buffer every client is written from.
 */
import { Buffer } from "node:buffer";
import type { ServerMessage } from "../../contract/index.ts";
import { toRowId } from "../../contract/index.ts";
import type { Change } from "./feed.ts";

/** `{"type":"insert","entity":"Order","event_type":"insert","data":{…},"timestamp":"…","id":123}` — the seed fields, in the seed order. */
export function changeFrame(entityJson: string, change: Change, timestamp: string): string {
  const key = change.key === undefined ? "" : `,"key":${JSON.stringify(toRowId(change.key))}`;
  const late = change.late ? `,"late":true` : "";
  return `{"type":"${change.type}","entity":${entityJson},"event_type":"${change.type}","data":${JSON.stringify(change.data)},"timestamp":"${timestamp}","id":${JSON.stringify(toRowId(change.id))}${key}${late}}`;
}

export function batchFrame(frames: string[], timestamp: string): string {
  return `{"type":"batch","timestamp":"${timestamp}","events":[${frames.join(",")}]}`;
}

/** One publish of an entity's changes as every client receives it: the frame of each change, and the batch frame of all. */
export interface SharedChanges {
  /** The changes' positions, ascending. */
  keys: bigint[];
  frames: SharedFrame[];
  /** Built on first need (once, whichever client asks first), as per-row clients never need it. */
  batch: () => SharedFrame;
}

export function shareChanges(entity: string, changes: Change[]): SharedChanges {
  const ts = new Date().toISOString();
  const entityJson = JSON.stringify(entity);
  const texts = changes.map((c) => changeFrame(entityJson, c, ts));
  let batch: SharedFrame | undefined;
  return {
    keys: changes.map((c) => c.id),
    frames: texts.map((t) => new SharedFrame(t)),
    batch: () => (batch ??= new SharedFrame(batchFrame(texts, ts))),
  };
}

type WithoutTimestamp<T> = T extends unknown ? Omit<T, "timestamp"> : never;

export function message(m: WithoutTimestamp<ServerMessage>): string {
  // `type` first, then `timestamp`, as every server message reads.
  const { type, ...rest } = m;
  return JSON.stringify({ type, timestamp: new Date().toISOString(), ...rest });
}

/** Bytes of the header of a server's WebSocket text frame (FIN, unmasked) for a payload of `n` bytes. */
function headerBytes(n: number): number {
  return n < 126 ? 2 : n < 65_536 ? 4 : 10;
}

/** Writes that header at `at`; returns where the payload starts. */
function writeHeader(buf: Buffer, at: number, n: number): number {
  buf[at] = 0x81; // FIN, opcode 1: one whole text message
  if (n < 126) {
    buf[at + 1] = n;
    return at + 2;
  }
  if (n < 65_536) {
    buf[at + 1] = 126;
    buf.writeUInt16BE(n, at + 2);
    return at + 4;
  }
  buf[at + 1] = 127;
  buf.writeUInt32BE(Math.floor(n / 2 ** 32), at + 2);
  buf.writeUInt32BE(n >>> 0, at + 6);
  return at + 10;
}

/** Messages framed for the WebSocket wire, back to back in one buffer: frame `i` is `buffer[offsets[i], offsets[i + 1])`. */
export interface FramedRun {
  buffer: Buffer;
  offsets: number[];
}

/** Frames `texts` as complete WebSocket text frames (server frames are never masked) in one allocation. */
export function wsTextFrames(texts: readonly string[]): FramedRun {
  const lengths = texts.map((t) => Buffer.byteLength(t, "utf8"));
  const offsets = new Array<number>(texts.length + 1);
  let total = 0;
  for (let i = 0; i < texts.length; i++) {
    offsets[i] = total;
    total += headerBytes(lengths[i]!) + lengths[i]!;
  }
  offsets[texts.length] = total;
  const buffer = Buffer.allocUnsafe(total);
  for (let i = 0; i < texts.length; i++) buffer.write(texts[i]!, writeHeader(buffer, offsets[i]!, lengths[i]!), lengths[i]!, "utf8");
  return { buffer, offsets };
}

/**
 * A text message shared by many clients: serialised once, encoded to UTF-8 once and framed for the
 * wire once, on first need — a server's WebSocket frame is the same bytes for every client — so a
 * runtime that writes bytes sends the same buffer to every client instead of encoding per client. Both
 * are Buffers: handed to the socket as they are, without a view made per write.
 */
export class SharedFrame {
  private encoded: Buffer | undefined;
  /** The whole frame, header and payload; a view into its publish's one buffer when framed with it (`framedOnce`). */
  framed: Buffer | undefined;
  constructor(readonly text: string) {}
  get bytes(): Buffer {
    return (this.encoded ??= this.framed ? this.framed.subarray(this.framed.length - Buffer.byteLength(this.text, "utf8")) : Buffer.from(this.text, "utf8"));
  }
  get wire(): Buffer {
    return (this.framed ??= wsTextFrames([this.text]).buffer);
  }
}

/** A publish framed once: the frames from `from` up to (not including) `to`, as one Buffer shared by every client that takes them. */
export class FramedPublish {
  private readonly slices = new Map<number, Buffer>();
  constructor(private readonly run: FramedRun) {}

  slice(from: number, to: number): Buffer {
    const { buffer, offsets } = this.run;
    if (from === 0 && to === offsets.length - 1) return buffer;
    const key = from * offsets.length + to;
    let b = this.slices.get(key);
    if (!b) this.slices.set(key, (b = buffer.subarray(offsets[from], offsets[to])));
    return b;
  }
}

const framedPublishes = new WeakMap<readonly SharedFrame[], FramedPublish>();

/**
 * The frames of one publish framed once for all clients (the hub hands every session the same array,
 * on which this is cached): each client is then written slices of the one buffer, one per run of
 * frames — the same slices for every client that takes the same runs, which is every live one.
 */
export function framedOnce(frames: readonly SharedFrame[]): FramedPublish {
  let publish = framedPublishes.get(frames);
  if (!publish) {
    const run = wsTextFrames(frames.map((f) => f.text));
    frames.forEach((f, i) => (f.framed ??= run.buffer.subarray(run.offsets[i], run.offsets[i + 1])));
    framedPublishes.set(frames, (publish = new FramedPublish(run)));
  }
  return publish;
}
