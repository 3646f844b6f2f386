/**
 * WebSocket tickets behind a load balancer (http/tickets.ts): signed with `server.ticket_secret`, a
 * ticket issued by one replica opens a WebSocket on any replica given the same secret, and on no other;
 * its expiry is inside what is signed; it works once per replica; without a secret each process signs
 * with a random key of its own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TicketBook } from "../../backend/http/tickets.ts";
import { startBackend, type TestBackend } from "../helpers/backend.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { TestClient } from "../helpers/ws-client.ts";

const SECRET = "a-shared-secret-of-the-replicas";

describe("signed tickets", () => {
  it("a ticket issued by one replica is taken by another with the same secret, once", () => {
    const a = new TicketBook(30_000, SECRET);
    const b = new TicketBook(30_000, SECRET);
    const { ticket } = a.issue(1000);
    assert.equal(b.redeem(ticket, 2000), "ok");
    assert.equal(b.redeem(ticket, 2000), "unknown", "used on this replica");
    assert.equal(a.shared && b.shared, true);
  });

  it("a replica with another secret, or none, refuses it", () => {
    const { ticket } = new TicketBook(30_000, SECRET).issue(1000);
    assert.equal(new TicketBook(30_000, "another-secret-entirely").redeem(ticket, 2000), "unknown");
    const alone = new TicketBook();
    assert.equal(alone.shared, false);
    assert.equal(alone.redeem(ticket, 2000), "unknown");
    assert.equal(new TicketBook().redeem(alone.issue().ticket), "unknown", "two processes without a secret draw different keys");
    assert.equal(alone.redeem(alone.issue().ticket), "ok", "…and each takes its own tickets");
  });

  it("the expiry is signed: a ticket whose expiry was changed, or whose text was altered, is refused", () => {
    const book = new TicketBook(1000, SECRET);
    const { ticket } = book.issue(0);
    const [payload, mac] = ticket.split(".") as [string, string];
    const bytes = Buffer.from(payload, "base64url");
    bytes.writeBigUInt64BE(10_000_000n);
    assert.equal(book.redeem(`${bytes.toString("base64url")}.${mac}`, 2000), "unknown");
    assert.equal(book.redeem(`${payload}x.${mac}`, 500), "unknown");
    assert.equal(book.redeem(`${payload}.${mac}.x`, 500), "unknown");
    assert.equal(book.redeem("", 500), "unknown");
    assert.equal(book.redeem(ticket, 2000), "expired");
  });
});

describe("signed tickets across two backends", () => {
  let db: TestDatabase;
  let a: TestBackend;
  let b: TestBackend;
  let c: TestBackend;
  const TOKEN = "token-of-the-tests-0123456789";
  const yaml = (secret: string) => `server: { auth_tokens: ["${TOKEN}"], ticket_secret: "${secret}" }\nentities:\n  - { name: Order, table: orders }\n`;
  before(async () => {
    db = await createTestDatabase("pglite");
    await db.dialect.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, v text)");
    a = await startBackend(db, yaml(SECRET));
    b = await startBackend(db, "server: { auth_tokens: [\"" + TOKEN + "\"] }\nentities:\n  - { name: Order, table: orders }\n", { NOMNOM_TICKET_SECRET: SECRET });
    c = await startBackend(db, yaml("the-secret-of-another-deployment"));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await db?.drop();
  });

  const ticketFrom = async (tb: TestBackend) => {
    const res = await fetch(`${tb.url}/api/ws-ticket`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { ticket: string }).ticket;
  };

  it("a ticket from one backend opens a WebSocket on another with the same secret (from the file or NOMNOM_TICKET_SECRET), once", async () => {
    const ticket = await ticketFrom(a);
    const client = await TestClient.connect(`${b.wsUrl}?ticket=${ticket}`);
    await client.waitFor("ack", () => client.ofType("connection_ack").length === 1);
    await client.close();
    await assert.rejects(TestClient.connect(`${b.wsUrl}?ticket=${ticket}`), (e: { status?: number }) => e.status === 401);
  });

  it("a backend with another secret refuses it", async () => {
    const ticket = await ticketFrom(b);
    await assert.rejects(TestClient.connect(`${c.wsUrl}?ticket=${ticket}`), (e: { status?: number }) => e.status === 401);
  });
});
