/** Serialisation of server messages. Change frames are built once per change and shared by every client. */
import type { ServerMessage } from "../../contract/index.ts";
import { toRowId } from "../../contract/index.ts";
import type { Change } from "./feed.ts";

/** `{"type":"insert","entity":"Order","event_type":"insert","data":{…},"timestamp":"…","id":123}` — the seed fields, in the seed order. */
export function changeFrame(entityJson: string, change: Change, timestamp: string): string {
  const key = change.key === undefined ? "" : `,"key":${JSON.stringify(toRowId(change.key))}`;
  return `{"type":"${change.type}","entity":${entityJson},"event_type":"${change.type}","data":${JSON.stringify(change.data)},"timestamp":"${timestamp}","id":${JSON.stringify(toRowId(change.id))}${key}}`;
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

const utf8 = new TextEncoder();

/**
 * A text message shared by many clients: serialised once, and encoded to UTF-8 once, on first need, so a
 * runtime that writes bytes sends the same buffer to every client instead of encoding per client.
 */
export class SharedFrame {
  private encoded: Uint8Array | undefined;
  constructor(readonly text: string) {}
  get bytes(): Uint8Array {
    return (this.encoded ??= utf8.encode(this.text));
  }
}
