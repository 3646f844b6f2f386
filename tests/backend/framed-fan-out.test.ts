/**
 * Fan-out as the Node socket writes it: a publish's messages are framed for the WebSocket wire once,
 * and each client gets one write per publish — of the very same Buffer when it takes the whole publish,
 * of a slice of it when it starts further in — which real `ws` clients read back as the messages sent,
 * at every frame length (7-bit, 16-bit and 64-bit lengths). Frames shared with other writes (stats,
 * pings) keep their order.
 */
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { nodeSocket } from "../../backend/runtime/node/socket.ts";
import { Delivery } from "../../backend/stream/delivery.ts";
import { SharedFrame, shareChanges, wsTextFrames } from "../../backend/stream/frames.ts";

interface Pair {
  client: WebSocket;
  received: string[];
  delivery: Delivery;
  writes: unknown[];
}

describe("framed fan-out on the Node socket", () => {
  let server: WebSocketServer;
  const pairs: Pair[] = [];

  before(async () => {
    server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    for (let i = 0; i < 3; i++) {
      const accepted = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      const received: string[] = [];
      client.on("message", (data) => received.push(data.toString()));
      await new Promise((r) => client.once("open", r));
      const ws = await accepted;
      const writes: unknown[] = [];
      const socket = (ws as unknown as { _socket: Socket })._socket;
      const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
      Object.assign(socket, {
        write: (...args: unknown[]) => {
          writes.push(args[0]);
          return write(...args);
        },
      });
      pairs.push({ client, received, delivery: new Delivery(nodeSocket(ws), false), writes });
    }
  });
  after(async () => {
    for (const p of pairs) p.client.terminate();
    await new Promise((r) => server.close(r));
  });

  it("frames each message once and writes each client one buffer per run of a publish, the same one to all", async () => {
    const texts = ["x".repeat(10), "y".repeat(300), "z".repeat(70_000), '{"type":"insert","data":{"é":"ü"}}'];
    const framed = wsTextFrames(texts);
    assert.equal(framed.offsets.length, texts.length + 1);
    assert.equal(framed.offsets.at(-1), framed.buffer.length);

    const changes = [1, 2, 3, 4].map((n, i) => ({ type: "insert" as const, id: BigInt(n), data: { id: n, v: texts[i]! } }));
    const { keys, frames, batch } = shareChanges("Order", changes);
    for (const p of pairs) p.writes.length = 0;
    // The third client already has row 2 (a cursor ahead): it is written from row 3 on.
    const progress = pairs.map((_, i) => ({ sent: i === 2 ? 2n : 0n }));
    // The 70 KB frame ends a run of 64 KiB, so frames 1–3 leave in one write and frame 4 in another.
    for (const [i, p] of pairs.entries()) assert.equal(p.delivery.live(progress[i]!, keys, frames, batch, 1 << 30), 0);
    assert.deepEqual(
      pairs.map((p) => p.writes.length),
      [2, 2, 2],
    );
    assert.ok(pairs[0]!.writes.every((w) => Buffer.isBuffer(w)), "Buffers, not Uint8Array views");
    assert.equal(pairs[0]!.writes[0], pairs[1]!.writes[0], "the same buffer for clients that take the same run");
    assert.equal(pairs[0]!.writes[1], pairs[2]!.writes[1], "…whichever row they started at");
    assert.notEqual(pairs[2]!.writes[0], pairs[0]!.writes[0]);
    assert.deepEqual(
      progress.map((x) => x.sent),
      [4n, 4n, 4n],
    );

    // A publish that fits one run (the usual one): one write per client, of one buffer shared by all.
    const small = shareChanges("Order", [5, 6, 7].map((n) => ({ type: "insert" as const, id: BigInt(n), data: { id: n } })));
    for (const p of pairs) p.writes.length = 0;
    for (const [i, p] of pairs.entries()) p.delivery.live(progress[i]!, small.keys, small.frames, small.batch, 1 << 30);
    assert.deepEqual(
      pairs.map((p) => p.writes.length),
      [1, 1, 1],
    );
    assert.ok(pairs.every((p) => p.writes[0] === pairs[0]!.writes[0]));

    const expected = [...frames, ...small.frames].map((f) => f.text);
    for (const [i, p] of pairs.entries()) {
      const want = i === 2 ? expected.slice(2) : expected;
      await waitFor(() => p.received.length === want.length);
      assert.deepEqual(p.received, want, `client ${i}`);
    }
  });

  it("keeps shared frames, strings and pings in the order they were sent", async () => {
    const p = pairs[0]!;
    p.received.length = 0;
    const socket = nodeSocket(await serverSide(p));
    socket.send(new SharedFrame('{"type":"stats_update","n":1}'));
    socket.send('{"type":"pong"}');
    socket.send(new SharedFrame('{"type":"stats_update","n":2}'));
    await waitFor(() => p.received.length === 3);
    assert.deepEqual(p.received, ['{"type":"stats_update","n":1}', '{"type":"pong"}', '{"type":"stats_update","n":2}']);
  });

  async function serverSide(p: Pair): Promise<WebSocket> {
    // The server-side peer of `p.client`: the one whose socket the spy wraps.
    for (const ws of server.clients) if ((ws as unknown as { _socket: Socket })._socket.remotePort === (p.client as unknown as { _socket: Socket })._socket.localPort) return ws;
    throw new Error("no peer");
  }
});

async function waitFor(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
