/**
 * The WebSocket's limits as a client meets them: the message size counts UTF-8 bytes, not characters;
 * a frame past the limit is refused with an error and the connection stays open, and one past the hard
 * cap is refused with the same error before the 1009 close; the connection limits count from the
 * upgrade, so a burst of simultaneous upgrades cannot pass them, and their 503 carries its error body;
 * an upgrade that fails gives its place back.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { ErrorBody } from "../../contract/rest.ts";
import { ALL_KINDS, createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const YAML = "polling: { interval_ms: 100 }\nserver: { max_message_bytes: 16384, max_connections_per_ip: 3 }\nentities:\n  - { name: Order, table: orders }\n";

/** Connects, and resolves with the HTTP refusal (status and body) instead when the upgrade is refused. */
function attempt(url: string): Promise<{ client: WebSocket } | { status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve({ client: ws }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], body }));
    });
    ws.once("error", reject);
  });
}

/** An upgrade request the app accepts but `ws` cannot complete (no Sec-WebSocket-Key): the handshake fails. */
function brokenUpgrade(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /ws HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let answer = "";
    socket.on("data", (d) => (answer += d.toString()));
    socket.on("close", () => resolve(answer.split("\r\n")[0]!));
    socket.on("error", reject);
  });
}

async function pong(c: TestClient): Promise<void> {
  const before = c.ofType("pong").length;
  c.send({ type: "ping" });
  await c.waitFor("pong", () => c.ofType("pong").length === before + 1);
}

for (const kind of ALL_KINDS) {
  describe(`WebSocket limits on ${kind}`, { skip: await skipReason(kind) }, () => {
    let db: TestDatabase;
    let tb: TestBackend;
    before(async () => {
      db = await createTestDatabase(kind);
      await db.dialect.execute(contractSchema(kind));
      tb = await startBackend(db, YAML);
    });
    after(async () => {
      await tb?.stop();
      await db?.drop();
    });

    it("counts a message's size in UTF-8 bytes: 42 KB in 14 K characters passes no 16 KiB limit", async () => {
      const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      const text = JSON.stringify({ type: "subscribe", entities: Array.from({ length: 70 }, () => "€".repeat(200)) });
      assert.ok(text.length < 16_384 && Buffer.byteLength(text) > 3 * 14_000);
      c.send(text);
      await c.waitFor("the refusal", () => c.ofType("error").length === 1);
      const [error] = c.ofType("error");
      assert.deepEqual([error!.code, error!.message], ["message_too_large", "messages are limited to 16384 bytes"]);
      c.send(JSON.stringify({ type: "subscribe", entities: ["€".repeat(200)] })); // 600 bytes: read, and refused for what it says
      await c.waitFor("the second answer", () => c.ofType("error").length === 2);
      assert.equal(c.ofType("error")[1]!.code, "unknown_entity");
      await pong(c);
      assert.equal(c.closed, null);
      await c.close();
    });

    it("refuses a frame past the limit with an error and keeps the connection open up to the hard cap", async () => {
      const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      c.send(JSON.stringify({ type: "ping", pad: "é".repeat(500_000) })); // ~1 MB of UTF-8, under the 1 MiB cap
      await c.waitFor("the refusal", () => c.ofType("error").length === 1);
      assert.equal(c.ofType("error")[0]!.code, "message_too_large");
      await pong(c);
      assert.equal(c.closed, null);
      await c.close();
    });

    it("tells a client why, then closes with 1009, when a frame passes the hard cap", async () => {
      const c = await TestClient.connect(`${tb.wsUrl}?subscribe=manual`);
      c.send("x".repeat(1_048_577));
      await c.waitFor("the close", () => c.closed !== null);
      assert.equal(c.closed!.code, 1009);
      const errors = c.ofType("error");
      assert.equal(errors.length, 1, "an error before the close");
      assert.equal(errors[0]!.code, "message_too_large");
      assert.match(errors[0]!.message, /hard cap of 1048576 bytes \(messages are limited to 16384 bytes\); closing the connection \(1009\)/);
    });

    it("counts connections from the upgrade: of a burst of 12, exactly the limit of 3 gets through", async () => {
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => attempt(tb.wsUrl)));
      const open = outcomes.flatMap((o) => ("client" in o ? [o.client] : []));
      const refused = outcomes.flatMap((o) => ("status" in o ? [o] : []));
      assert.equal(open.length, 3, `${open.length} connections open past a per-address limit of 3`);
      assert.equal(refused.length, 9);
      for (const r of refused) {
        assert.equal(r.status, 503);
        assert.match(r.type ?? "", /^application\/json/);
        const body = JSON.parse(r.body) as ErrorBody;
        assert.deepEqual(body.error, { code: "too_many_connections", message: "your address holds its maximum of 3 connections" });
      }
      await Promise.all(open.map((ws) => new Promise((r) => (ws.once("close", r), ws.close()))));
      await new Promise((r) => setTimeout(r, 100));
      const again = await Promise.all(Array.from({ length: 3 }, () => attempt(tb.wsUrl)));
      assert.ok(again.every((o) => "client" in o), "the closed connections gave their places back");
      for (const o of again) if ("client" in o) o.client.close();
      await new Promise((r) => setTimeout(r, 100));
    });

    it("gives back the place of an upgrade that fails at the handshake or is no upgrade at all", async () => {
      for (let i = 0; i < 4; i++) {
        assert.match(await brokenUpgrade(tb.wsUrl), /^HTTP\/1\.1 400/);
        assert.equal((await fetch(tb.url + "/ws")).status, 404, "a plain GET of /ws is no upgrade");
      }
      await new Promise((r) => setTimeout(r, 50));
      const held = await Promise.all(Array.from({ length: 3 }, () => TestClient.connect(tb.wsUrl)));
      await Promise.all(held.map((c) => c.close()));
    });
  });
}
