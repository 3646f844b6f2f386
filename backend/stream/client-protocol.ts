/**
 * What a client may send on `/ws`, read from one text frame: rate limited, size limited, JSON, and
 * valid against the contract's schema — or the error the client is told, naming what was wrong so a
 * hand-written client can fix its message. A refused frame changes nothing else.
 */
import { clientMessageSchema, type ClientMessage } from "../../contract/client-messages.ts";
import type { ErrorCode } from "../../contract/index.ts";
import { TokenBucket, type RateLimit } from "./token-bucket.ts";

export interface ProtocolLimits extends RateLimit {
  /** Longest accepted message, in bytes of its UTF-8 text as it came over the wire. */
  readonly messageBytes: number;
}

/**
 * The largest frame a runtime reads at all. A frame past `messageBytes` but within this is refused with
 * a `message_too_large` error and the connection stays open; past this one the runtime stops reading,
 * sends the same error and closes the connection with 1009 (CloseCode.MessageTooBig), so no client can
 * make the server buffer an unbounded frame.
 */
export function frameHardCap(messageBytes: number): number {
  return Math.max(1_048_576, messageBytes * 4);
}

/** The number of bytes of `text` in UTF-8 (what the client sent), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: two UTF-16 units, four bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

export type ClientFrame = { ok: true; message: ClientMessage } | { ok: false; error: ProtocolError };

/**
 * How many refusals for the rate limit are answered: a burst of ten, then one a second. Answering each
 * message of a flood (5,000 in a second) cost the server as much as reading them — an `error` frame and
 * a socket write apiece — for a client that had been told already.
 */
const RATE_LIMIT_ANSWERS = { messagesPerSecond: 1, messagesBurst: 10 };

/** One client's side of the protocol: its rate limit, and the reading of each frame it sends. */
export class ClientProtocol {
  private readonly bucket: TokenBucket;
  private readonly answers: TokenBucket;

  constructor(
    private readonly limits: ProtocolLimits,
    now?: () => number,
  ) {
    this.bucket = new TokenBucket(limits, now);
    this.answers = new TokenBucket(RATE_LIMIT_ANSWERS, now);
  }

  /** The frame read, or null when it is refused without an answer (a flood past its rate limit, told already). */
  read(text: string): ClientFrame | null {
    // Before parsing: a flood costs a token check per frame, not a JSON parse.
    if (!this.bucket.take()) {
      if (!this.answers.take()) return null;
      return refused("rate_limited", `more than ${this.limits.messagesPerSecond} messages per second; this one was ignored`);
    }
    return parseClientText(text, this.limits.messageBytes);
  }
}

/** A client text frame as a message, or why it is not one. */
export function parseClientText(text: string, messageBytes: number): ClientFrame {
  // Never fewer bytes than UTF-16 units: a text longer than the limit is refused without counting.
  if (text.length > messageBytes || (text.length * 3 > messageBytes && utf8Length(text) > messageBytes)) {
    return refused("message_too_large", `messages are limited to ${messageBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refused("invalid_json", "the message is not valid JSON");
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
    return refused("invalid_message", `${issue.message}${where}; expected {"type":"subscribe"|"unsubscribe"|"ping", …}`);
  }
  return { ok: true, message: parsed.data };
}

function refused(code: ErrorCode, message: string): ClientFrame {
  return { ok: false, error: { code, message } };
}
