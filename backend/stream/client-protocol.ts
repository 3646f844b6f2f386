/**
 * What a client may send on `/ws`, read from one text frame: rate limited, size limited, JSON, and
 * valid against the contract's schema — or the error the client is told, naming what was wrong so a
 * hand-written client can fix its message. A refused frame changes nothing else.
 */
import { clientMessageSchema, type ClientMessage } from "../../contract/client-messages.ts";
import type { ErrorCode } from "../../contract/index.ts";
import { TokenBucket, type RateLimit } from "./token-bucket.ts";

export interface ProtocolLimits extends RateLimit {
  /** Longest accepted frame (in characters of its text). */
  readonly messageBytes: number;
}

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

export type ClientFrame = { ok: true; message: ClientMessage } | { ok: false; error: ProtocolError };

/** One client's side of the protocol: its rate limit, and the reading of each frame it sends. */
export class ClientProtocol {
  private readonly bucket: TokenBucket;

  constructor(
    private readonly limits: ProtocolLimits,
    now?: () => number,
  ) {
    this.bucket = new TokenBucket(limits, now);
  }

  read(text: string): ClientFrame {
    // Before parsing: a flood costs a token check per frame, not a JSON parse.
    if (!this.bucket.take()) return refused("rate_limited", `more than ${this.limits.messagesPerSecond} messages per second; this one was ignored`);
    return parseClientText(text, this.limits.messageBytes);
  }
}

/** A client text frame as a message, or why it is not one. */
export function parseClientText(text: string, messageBytes: number): ClientFrame {
  if (text.length > messageBytes) return refused("message_too_large", `messages are limited to ${messageBytes} bytes`);
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
