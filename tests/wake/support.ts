/** What the doorbell tests share: a backend's health, and the time one inserted row takes to reach a client. */
import { wsQuery, type HealthResponse, type WakeHealth } from "../../contract/index.ts";
import type { TestBackend } from "../helpers/backend.ts";
import type { TestDatabase } from "../helpers/databases.ts";
import { insertOrders } from "../helpers/schema.ts";
import { TestClient } from "../helpers/ws-client.ts";

export async function health(tb: TestBackend): Promise<HealthResponse> {
  return (await (await fetch(`${tb.url}/api/health`)).json()) as HealthResponse;
}

/** Waits until `/api/health`'s `wake` satisfies `ok`; returns it. */
export async function waitForWake(tb: TestBackend, what: string, ok: (w: WakeHealth) => boolean, timeoutMs = 10_000): Promise<WakeHealth> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = (await health(tb)).wake;
    if (w && ok(w)) return w;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the doorbell to be ${what}: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Inserts order `id` (one statement, committed) and resolves with the milliseconds from its commit until `client` had it. */
export async function rowLatency(db: TestDatabase, client: TestClient, id: number, timeoutMs = 15_000): Promise<number> {
  const before = client.changes("Order").length;
  await db.dialect.execute(insertOrders(id, 1));
  const committed = Date.now();
  await client.waitFor(`order ${id}`, () => client.changes("Order").length > before, timeoutMs);
  const i = client.messages.findIndex((m) => m.type === "insert" && m.entity === "Order" && Number(m.id) === id);
  return (client.arrivals[i] ?? Date.now()) - committed;
}

/** Connects a client subscribed to every entity, live from now (no snapshot). */
export async function liveClient(tb: TestBackend): Promise<TestClient> {
  const c = await TestClient.connect(`${tb.wsUrl}?${new URLSearchParams(wsQuery({ manual: true })).toString()}`);
  c.send({ type: "subscribe", snapshot: false });
  await c.waitFor("subscribed", () => c.ofType("subscribed").length >= 1);
  return c;
}
