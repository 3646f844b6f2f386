/**
 * The fault suite, one body for every database: the backend runs as a user runs it (the CLI, a child
 * process) behind a TCP proxy to the database; writers insert throughout; three clients (one on batched
 * frames) count rows. Then, one after the other: the network black-holes (bytes dropped, connections
 * left open), pauses, resets; the database server restarts (where the test owns one); the backend is
 * killed with SIGKILL and started again. Each fault is measured from its end until every client has
 * every row committed by then (recovery time, printed); at the end each client must hold every committed
 * row exactly once.
 */
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { HealthResponse } from "../../contract/rest.ts";
import { assertEveryRowOnce, CountingClient, Inserts, timeUntil } from "./fault-workload.ts";
import { spawnBackend, type BackendProcess } from "./process.ts";
import { TcpProxy } from "./tcp-proxy.ts";

/** A database a fault suite runs against, set up by the test file. */
export interface FaultDatabase {
  /** Shown in the report. */
  name: string;
  host: string;
  port: number;
  /** The URL the backend opens, given the proxy's port. */
  urlThrough(port: number): string;
  /** Inserts one row into `orders`, straight into the database. */
  insert(): Promise<unknown>;
  /** Every committed id of `orders`. */
  committed(): Promise<number[]>;
  /** Stops the server at once and starts it again, when the test owns it. */
  restart?(): Promise<void>;
}

/** Short deadlines keep the suite quick: 1.5 s server-side, 3 s client-side. */
const QUERY_TIMEOUT_MS = 1500;
/** How long each network fault lasts: past the client-side deadline, so connections must be replaced. */
const FAULT_MS = 5000;
/** A fault must be over (every row delivered) within this. */
const RECOVERY_LIMIT_MS = 30_000;

export function faultSuite(setup: () => Promise<FaultDatabase & { teardown(): Promise<void> }>): void {
  let db: FaultDatabase & { teardown(): Promise<void> };
  let proxy: TcpProxy;
  let backend: BackendProcess;
  let inserts: Inserts;
  let dir: string;
  let configFile: string;
  const clients: CountingClient[] = [];
  let from = 0;
  const report: string[] = [];

  const health = async (): Promise<HealthResponse> => (await (await fetch(`${backend.url}/api/health`)).json()) as HealthResponse;
  const backends: BackendProcess[] = [];
  const start = async () => {
    const b = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", configFile], { PORT: "0", NOMNOM_LOG: process.env.NOMNOM_FAULTS_DEBUG ? "info" : "warn" });
    backends.push(b);
    return b;
  };
  const highest = async () => Math.max(0, ...(await db.committed()));

  /**
   * Breaks, holds the fault for `holdMs` (checking `during` meanwhile), heals; reports how long after
   * healing every client had every row committed by then.
   */
  async function fault(name: string, breakIt: () => Promise<void> | void, heal: () => Promise<void> | void, o: { holdMs: number; during?: (told: number[]) => Promise<string> }): Promise<number[]> {
    // No outage in progress, so one that begins now is this fault's; clients' notices from here on are its.
    await timeUntil("health to be ok before the fault", async () => (await health()).status === "ok", RECOVERY_LIMIT_MS);
    const told = clients.map((c) => c.errors.length);
    const started = Date.now();
    await breakIt();
    let noticed: string;
    try {
      noticed = o.during ? await o.during(told) : "";
      await new Promise((r) => setTimeout(r, Math.max(0, o.holdMs - (Date.now() - started))));
    } finally {
      await heal(); // a failed check must not leave the fault in place for the tests after it
    }
    const healed = Date.now();
    const target = await highest();
    await timeUntil(`every client to reach id ${target} after the ${name}`, () => clients.every((c) => c.highest >= target), RECOVERY_LIMIT_MS);
    report.push(`${db.name} ${name}: every row delivered ${Date.now() - healed} ms after it ended (${Date.now() - started} ms after it began)${noticed ? `; ${noticed}` : ""}`);
    return told;
  }

  /** Waits for health to report the stall and every client to be told; says after how long. */
  async function stallReported(told: number[]): Promise<string> {
    let reason = "";
    const ms = await timeUntil(
      "health to report the stall",
      async () => {
        const h = await health();
        reason = h.reason ?? "";
        return h.status === "degraded" && /has not answered/.test(reason);
      },
      FAULT_MS,
    );
    assert.match(reason, /^database not answering: (poll|writers check) of Order has not answered for \d+ s/);
    await timeUntil("every client to be told", () => clients.every((c, i) => c.errors.slice(told[i]).some((e) => e.code === "database_unavailable" && e.entities?.includes("Order"))), FAULT_MS).catch((e: Error) => {
      throw new Error(`${e.message}; errors received: ${JSON.stringify(clients.map((c) => c.errors))}`);
    });
    return `stall reported by health and to clients after ${ms} ms ("${reason}")`;
  }

  before(async () => {
    db = await setup();
    proxy = new TcpProxy(db.host, db.port);
    await proxy.listen();
    dir = mkdtempSync(join(tmpdir(), "nomnom-faults-"));
    configFile = join(dir, "nomnom-live.yaml");
    writeFileSync(
      configFile,
      `database: { url: "${db.urlThrough(proxy.port)}" }\n` +
        `polling: { interval_ms: 100, query_timeout_ms: ${QUERY_TIMEOUT_MS}, gap_timeout_ms: 10000 }\n` +
        "entities:\n  - { name: Order, table: orders }\n",
    );
    backend = await start();
    clients.push(new CountingClient(() => backend.wsUrl, "Order"), new CountingClient(() => backend.wsUrl, "Order", true), new CountingClient(() => backend.wsUrl, "Order"));
    await Promise.all(clients.map((c) => c.ready));
    from = Math.min(...clients.map((c) => c.highest));
    inserts = new Inserts(() => db.insert(), 50);
    const target = (await highest()) + 5;
    await timeUntil("rows to flow", async () => clients.every((c) => c.highest >= target) || (await highest()) < target, 15_000);
  });

  after(async () => {
    await inserts?.stop();
    for (const c of clients) c.close();
    await backend?.stop();
    await proxy?.cut();
    await db?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.NOMNOM_FAULTS_DEBUG) for (const b of backends) console.log(`backend output:\n${b.output().slice(-20_000)}`);
    if (report.length) console.log(`\nfault suite (recovery times):\n  ${report.join("\n  ")}\n`);
  });

  it("a black-holed connection (bytes dropped, nothing closed) is reported, replaced, and streaming resumes", { timeout: 90_000 }, async () => {
    await fault(
      "black hole",
      () => proxy.blackhole(),
      () => proxy.heal(),
      {
        holdMs: FAULT_MS,
        during: async (told) => {
          // History asked meanwhile: past its deadline, "the database did not answer" (503), not a server failure (500).
          const records = fetch(`${backend.url}/api/entities/Order/records?limit=5`, { signal: AbortSignal.timeout(FAULT_MS) }).then(async (r) => [r.status, (await r.json()) as { error?: { code: string } }] as const);
          const said = await stallReported(told);
          const [status, body] = await records;
          assert.equal(status, 503, JSON.stringify(body));
          assert.equal(body.error?.code, "database_unavailable");
          return said;
        },
      },
    );
    await timeUntil("health to recover", async () => (await health()).status === "ok", RECOVERY_LIMIT_MS);
  });

  it("a paused connection (bytes held) is replaced past its deadline, and streaming resumes", { timeout: 90_000 }, async () => {
    const told = await fault(
      "pause",
      () => proxy.pause(),
      () => proxy.resume(),
      { holdMs: FAULT_MS, during: stallReported },
    );
    // The stall, the deadline, the retries that stall again: one notice.
    assert.deepEqual(
      clients.map((c, i) => c.errors.length - told[i]!),
      clients.map(() => 1),
      "each client is told once per outage",
    );
  });

  it("reset connections are reopened at once", { timeout: 90_000 }, async () => {
    await fault(
      "reset",
      () => proxy.reset(),
      () => {},
      { holdMs: 0 },
    );
  });

  it("a database server restart is ridden out", { timeout: 90_000 }, async (t) => {
    if (!db.restart) return t.skip("the test does not own this database server");
    await fault(
      "server restart",
      () => db.restart!(),
      () => {},
      { holdMs: 0 },
    );
  });

  it("a backend killed with SIGKILL and started again: clients resume from their cursors", { timeout: 120_000 }, async () => {
    await fault(
      "kill -9 of the backend",
      async () => {
        process.kill(-backend.child.pid!, "SIGKILL");
        await backend.stop();
      },
      async () => {
        backend = await start();
      },
      { holdMs: 0 },
    );
  });

  it("every client ends with every committed row exactly once", { timeout: 60_000 }, async (t) => {
    await inserts.stop();
    const target = await highest();
    await timeUntil("the last rows", () => clients.every((c) => c.highest >= target), RECOVERY_LIMIT_MS);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive now
    const counts = assertEveryRowOnce(await db.committed(), from, clients);
    const line = `${db.name}: ${counts.committed} rows committed during the suite, ${clients.length} clients: ${counts.lost} lost, ${counts.duplicated} duplicated; ${inserts.failures} inserts failed while the server was down`;
    report.push(line);
    t.diagnostic(line);
  });
}
