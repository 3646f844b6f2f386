/**
 * The bearer-auth middleware (backend/http/middleware/bearer-auth): on its own, then as the REST API and
 * the WebSocket guard use it — a missing token, a wrong one and the right one, each with the API's
 * error body.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Hono } from "hono";
import { WS_PATH } from "../../contract/index.ts";
import type { ErrorBody } from "../../contract/rest.ts";
import { bearerAuth, bearerToken, tokenMatches } from "../../backend/http/middleware/bearer-auth/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { contractSchema } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

const TOKEN = "bearer-auth-test-token-0123456789";
const MISSING = "this server requires Authorization: Bearer <token>";
const INVALID = "the bearer token is not valid for this server";
const WS_REFUSAL = "a ticket (from POST /api/ws-ticket) or a bearer token is required";

async function refusal(res: Response): Promise<{ status: number; body: ErrorBody }> {
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

describe("bearer-auth middleware on its own", () => {
  const app = new Hono();
  app.use("/private", bearerAuth({ tokens: ["first-token", TOKEN] }));
  app.get("/private", (c) => c.text("in"));
  const get = (headers: Record<string, string> = {}) => app.request("/private", { headers });

  it("refuses a request without the Authorization header with 401 and says what to send", async () => {
    assert.deepEqual(await refusal(await get()), { status: 401, body: { error: { code: "unauthorized", message: MISSING } } });
  });

  it("refuses a wrong token, an empty one and another scheme with 401", async () => {
    for (const header of ["Bearer wrong-token", `Bearer ${TOKEN}x`, "Bearer ", `Basic ${TOKEN}`, TOKEN]) {
      assert.deepEqual(await refusal(await get({ Authorization: header })), { status: 401, body: { error: { code: "unauthorized", message: INVALID } } }, header);
    }
  });

  it("lets any of the configured tokens through, whatever the case of the scheme", async () => {
    for (const header of [`Bearer ${TOKEN}`, "Bearer first-token", `bearer ${TOKEN}`]) {
      const res = await get({ Authorization: header });
      assert.equal(res.status, 200, header);
      assert.equal(await res.text(), "in");
    }
  });

  it("says what its caller asks it to", async () => {
    const custom = new Hono();
    custom.use("*", bearerAuth({ tokens: [TOKEN], messages: { missing: "no header", invalid: "bad token" } }));
    custom.get("/", (c) => c.text("in"));
    assert.equal((await refusal(await custom.request("/"))).body.error.message, "no header");
    assert.equal((await refusal(await custom.request("/", { headers: { Authorization: "Bearer nope" } }))).body.error.message, "bad token");
  });

  it("parses the header and compares tokens exactly", () => {
    assert.equal(bearerToken(`Bearer ${TOKEN}`), TOKEN);
    assert.equal(bearerToken(`BEARER ${TOKEN}`), TOKEN);
    assert.equal(bearerToken(`Basic ${TOKEN}`), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(tokenMatches(TOKEN, ["other", TOKEN]), true);
    assert.equal(tokenMatches(TOKEN.slice(0, -1), [TOKEN]), false);
    assert.equal(tokenMatches(TOKEN, []), false);
  });
});

describe("bearer-auth in the REST API and the WebSocket guard", () => {
  let db: TestDatabase;
  let tb: TestBackend;
  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute(contractSchema("pglite"));
    tb = await startBackend(db, `server:\n  auth_tokens: ["${TOKEN}"]\nentities:\n  - { name: Order, table: orders }\n`);
  });
  after(async () => {
    await tb?.stop();
    await db?.drop();
  });

  it("REST: a missing and a wrong token get 401 with the API's error body, the right one the answer", async () => {
    assert.deepEqual(await refusal(await fetch(`${tb.url}/api/stats`)), { status: 401, body: { error: { code: "unauthorized", message: MISSING } } });
    assert.deepEqual(await refusal(await fetch(`${tb.url}/api/stats`, { headers: { Authorization: "Bearer wrong-token" } })), {
      status: 401,
      body: { error: { code: "unauthorized", message: INVALID } },
    });
    const ok = await fetch(`${tb.url}/api/stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.ok("Order" in ((await ok.json()) as object));
  });

  it("WebSocket: a missing and a wrong token are refused before the upgrade with 401, the right one connects", async () => {
    const ws = tb.url + WS_PATH;
    assert.deepEqual(await refusal(await fetch(ws)), { status: 401, body: { error: { code: "unauthorized", message: WS_REFUSAL } } });
    assert.deepEqual(await refusal(await fetch(ws, { headers: { Authorization: "Bearer wrong-token" } })), {
      status: 401,
      body: { error: { code: "unauthorized", message: WS_REFUSAL } },
    });
    await assert.rejects(TestClient.connect(tb.wsUrl), (e: { status?: number }) => e.status === 401);
    await assert.rejects(TestClient.connect(tb.wsUrl, { Authorization: "Bearer wrong-token" }), (e: { status?: number }) => e.status === 401);
    const c = await TestClient.connect(tb.wsUrl, { Authorization: `Bearer ${TOKEN}` });
    await c.waitFor("ack", () => c.ofType("connection_ack").length === 1);
    await c.close();
  });
});
