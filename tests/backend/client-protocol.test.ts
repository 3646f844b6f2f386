/**
 * What a client sends on `/ws`: a frame that is too large, not JSON or not a known message is answered
 * with an error naming what is wrong, and a client past its rate limit has its messages ignored with
 * an error, until its token bucket refills. No database: the session runs on stream-fakes.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseClientText } from "../../backend/stream/client-protocol.ts";
import { TokenBucket } from "../../backend/stream/token-bucket.ts";
import { FakeHost, MemoryFeed } from "./stream-fakes.ts";

const EXPECTED = `; expected {"type":"subscribe"|"unsubscribe"|"ping", …}`;

function refusal(text: string, messageBytes = 4096): [string, string] | null {
  const read = parseClientText(text, messageBytes);
  return read.ok ? null : [read.error.code, read.error.message];
}

describe("client protocol", () => {
  it("reads the three client messages", () => {
    assert.deepEqual(parseClientText(`{"type":"ping"}`, 4096), { ok: true, message: { type: "ping" } });
    assert.deepEqual(parseClientText(`{"type":"unsubscribe","entities":["Order"]}`, 4096), { ok: true, message: { type: "unsubscribe", entities: ["Order"] } });
    const read = parseClientText(`{"type":"subscribe","cursor":{"Order":"12345678901234567890"},"batch":true,"snapshot":false}`, 4096);
    assert.deepEqual(read, { ok: true, message: { type: "subscribe", cursor: { Order: "12345678901234567890" }, batch: true, snapshot: false } });
  });

  it("refuses a frame longer than the limit before parsing it", () => {
    assert.deepEqual(refusal(`{"type":"ping"}   `, 16), ["message_too_large", "messages are limited to 16 bytes"]);
    assert.deepEqual(refusal("not json at all", 4), ["message_too_large", "messages are limited to 4 bytes"]);
    assert.equal(refusal(`{"type":"ping"}`, 15), null);
  });

  it("refuses text that is not JSON", () => {
    assert.deepEqual(refusal(`{"type":"ping"`), ["invalid_json", "the message is not valid JSON"]);
  });

  it("refuses a message outside the schema, naming where and what is expected", () => {
    for (const [text, where] of [
      [`{"type":"hello"}`, " at type"],
      [`{"type":"subscribe","entities":"Order"}`, " at entities"],
      [`{"type":"unsubscribe","entities":[]}`, " at entities"],
      [`{"type":"subscribe","cursor":{"Order":"-1"}}`, " at cursor.Order"],
      [`{"type":"ping","extra":1}`, ""],
      [`[]`, ""],
    ] as const) {
      const [code, message] = refusal(text) ?? [];
      assert.equal(code, "invalid_message", text);
      assert.ok(message!.endsWith(`${where}${EXPECTED}`), `${text}: ${message}`);
      if (where === "") assert.doesNotMatch(message!, / at \S+; expected/, text);
    }
  });

  it("refills the token bucket at the rate, up to the burst", () => {
    let now = 1000;
    const bucket = new TokenBucket({ messagesPerSecond: 2, messagesBurst: 3 }, () => now);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now += 499; // 0.998 of a token
    assert.equal(bucket.take(), false);
    now += 2;
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
    now += 60_000; // refills to the burst, not beyond
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });

  it("answers a session's messages past the rate limit with an error and ignores them", () => {
    const host = new FakeHost(new MemoryFeed("Order"));
    const { session, socket } = host.open();
    for (let i = 0; i < host.limits.messagesBurst + 2; i++) session.handleText(`{"type":"ping"}`);
    session.close(1000, "test done");
    assert.equal(socket.ofType("pong").length, host.limits.messagesBurst);
    assert.deepEqual(
      socket.ofType("error").map((e) => [e.code, e.message]),
      Array(2).fill(["rate_limited", "more than 10 messages per second; this one was ignored"]),
    );
  });

  it("answers each bad frame of a session with its error and stays open", () => {
    const host = new FakeHost(new MemoryFeed("Order"));
    const { session, socket } = host.open();
    session.handleText("x".repeat(host.limits.messageBytes + 1));
    session.handleText("{");
    session.handleText(`{"type":"nope"}`);
    session.handleText(`{"type":"ping"}`);
    session.close(1000, "test done");
    assert.deepEqual(
      socket.messages.map((m) => (m.type === "error" ? m.code : m.type)),
      ["message_too_large", "invalid_json", "invalid_message", "pong"],
    );
  });
});
