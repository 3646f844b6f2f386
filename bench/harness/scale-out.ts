/**
 * The scale-out scenario: nomnom-live as 1…N replica processes behind HAProxy (deploy/haproxy.cfg), with
 * and without `cluster.bus` (the machine's NATS), the same clients and insert rate each time. Per run:
 * the clients held, insert-to-client latency (from the row's `clock_timestamp()` to its arrival), the
 * database queries per second of all replicas together (counted at the proxy, pg-proxy.ts) and each
 * replica's CPU.
 *
 * On a 2-core machine more replicas cannot add capacity: PostgreSQL, the replicas, HAProxy, NATS, the
 * clients and the writer share the same two cores, so the figures show what replicas cost and what the
 * bus saves the database — not the capacity a cluster of machines would have. The results say how busy
 * the machine was.
 */
import { writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import postgres from "postgres";
import { startHaproxy } from "./haproxy.ts";
import { Histogram, type LatencySummary } from "./histogram.ts";
import { startQueryCounter } from "./pg-proxy.ts";
import { busyPercent, cpuSeconds, machineTicks } from "./proc.ts";
import type { ScaleClientsIn, ScaleClientsOut } from "./scale-clients.ts";
import { withSearchPath } from "./schema.ts";
import { forkChild, startServer, type Child, type ServerProcess } from "./spawn.ts";

export interface ScaleOutPlan {
  replicas: number[];
  clients: number;
  /** Inserts per second during the measured window. */
  rate: number;
  intervalMs: number;
  durationMs: number;
  /** The idle window before the inserts, for the queries of polling alone. */
  idleMs: number;
  /** WebSocket clients per clients process. */
  clientsPerProcess: number;
  natsUrl: string;
}

export interface ScaleOutRun {
  replicas: number;
  bus: boolean;
  clients: { target: number; held: number };
  latency_ms: LatencySummary | null;
  rows_delivered: number;
  /** All replicas together, while rows are inserted (the poller's cadence adapts to them) and idle. */
  db_queries_per_s: number;
  db_queries_per_s_idle: number;
  /** Each replica's CPU over the window, % of one core. */
  replica_cpu_pct: number[];
  machine_busy_pct: number;
  error?: string;
}

export interface ScaleOutResult {
  plan: ScaleOutPlan;
  runs: ScaleOutRun[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why the NATS at `url` cannot be used, or null. */
export async function natsUnavailable(url: string): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: hostname, port: Number(port || 4222) }, () => {
      s.destroy();
      resolve(null);
    });
    s.on("error", (e) => resolve(`NATS not reachable at ${url} (${e.message})`));
  });
}
const READY = /nomnom-live is running: (http:\/\/[^\s/]+)\//;

/** Inserts `rate` rows a second, in ticks of 10 ms, until stopped. */
function writer(sql: postgres.Sql, rate: number): { stop(): Promise<void> } {
  let stopped = false;
  let owed = 0;
  const done = (async () => {
    let last = Date.now();
    while (!stopped) {
      await sleep(10);
      const now = Date.now();
      owed += ((now - last) * rate) / 1000;
      last = now;
      const n = Math.floor(owed);
      if (n > 0) {
        owed -= n;
        await sql`INSERT INTO orders (v) SELECT 'x' FROM generate_series(1, ${n})`;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

async function pollerKnown(urls: string[], timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const roles = await Promise.all(urls.map((u) => fetch(`${u}/api/health`).then((r) => r.json() as Promise<{ entities: Record<string, { role?: string }> }>).catch(() => null)));
    if (roles.some((h) => h?.entities.Order?.role === "poller") && roles.every((h) => h?.entities.Order)) return;
    await sleep(100);
  }
  throw new Error("no replica became the poller");
}

async function runOne(p: ScaleOutPlan, replicas: number, bus: boolean, o: { dbUrl: string; schema: string; tmpDir: string; log: (l: string) => void }): Promise<ScaleOutRun> {
  const admin = postgres(o.dbUrl, { max: 1, onnotice: () => {} });
  const upstream = new URL(o.dbUrl);
  const counter = await startQueryCounter({ host: upstream.hostname, port: Number(upstream.port || 5432) });
  const servers: ServerProcess[] = [];
  const clients: Child<ScaleClientsIn, ScaleClientsOut>[] = [];
  let haproxy: Awaited<ReturnType<typeof startHaproxy>> | null = null;
  const direct = postgres(withSearchPath(o.dbUrl, o.schema), { max: 2, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE SCHEMA ${o.schema}; CREATE TABLE ${o.schema}.orders (id bigserial PRIMARY KEY, v text, created_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    const proxied = new URL(o.dbUrl);
    proxied.host = `127.0.0.1:${counter.port}`;
    const file = join(o.tmpDir, `${o.schema}.yaml`);
    writeFileSync(
      file,
      `database: { url: "\${DATABASE_URL}" }
polling: { interval_ms: ${p.intervalMs}, wake: none }
server: { host: 127.0.0.1, port: 0, max_connections: 1000000, max_connections_per_ip: 1000000, rate_limit_per_minute: 1000000 }
cluster: { name: ${o.schema}${bus ? `, bus: "${p.natsUrl}"` : ""} }
entities:
  - { name: Order, table: orders, timestamp: created_at }
`,
    );
    const starting = Array.from({ length: replicas }, () => startServer(["bin/nomnom-live.js", "serve", "--config", file], { DATABASE_URL: withSearchPath(proxied.toString(), o.schema), NOMNOM_LOG: "warn" }, READY));
    const started = await Promise.allSettled(starting);
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const urls = servers.map((s) => s.match[1]!);
    await pollerKnown(urls, 20_000);
    haproxy = await startHaproxy(urls.map((url, i) => ({ name: `r${i + 1}`, url })));
    const processes = Math.ceil(p.clients / p.clientsPerProcess);
    for (let i = 0; i < processes; i++) clients.push(forkChild<ScaleClientsIn, ScaleClientsOut>("./scale-clients.ts"));
    const ready = await Promise.all(
      clients.map((c, i) => {
        c.send({ type: "start", url: haproxy!.wsUrl, clients: Math.floor(p.clients / processes) + (i < p.clients % processes ? 1 : 0) });
        return c.next("ready", (m): m is Extract<ScaleClientsOut, { type: "ready" }> => m.type === "ready", 120_000);
      }),
    );
    const held = ready.reduce((n, r) => n + r.held, 0);
    await sleep(500);
    // Idle: every replica's polling alone, no rows (the adaptive cadence does not speed up).
    const i0 = counter.queries;
    const idleStarted = Date.now();
    await sleep(p.idleMs);
    const idle = ((counter.queries - i0) * 1000) / (Date.now() - idleStarted);
    for (const c of clients) c.send({ type: "measure" });
    const cpu0 = servers.map((s) => cpuSeconds(s.pid) ?? 0);
    const m0 = machineTicks();
    const q0 = counter.queries;
    const writing = Date.now();
    const w = writer(direct, p.rate);
    await sleep(p.durationMs);
    await w.stop();
    const seconds = (Date.now() - writing) / 1000;
    const queries = counter.queries - q0;
    const cpu = servers.map((s, i) => Math.round((((cpuSeconds(s.pid) ?? 0) - cpu0[i]!) / seconds) * 1000) / 10);
    const busy = busyPercent(m0, machineTicks());
    await sleep(Math.max(1000, p.intervalMs * 3)); // the last rows arrive
    const reports = await Promise.all(
      clients.map((c) => {
        c.send({ type: "report" });
        return c.next("report", (m): m is Extract<ScaleClientsOut, { type: "report" }> => m.type === "report", 30_000);
      }),
    );
    const h = new Histogram();
    for (const r of reports) h.merge(r.histogram);
    return {
      replicas,
      bus,
      clients: { target: p.clients, held: Math.min(held, reports.reduce((n, r) => n + r.held, 0)) },
      latency_ms: h.total ? h.summary() : null,
      rows_delivered: reports.reduce((n, r) => n + r.rows, 0),
      db_queries_per_s: Math.round((queries / seconds) * 10) / 10,
      db_queries_per_s_idle: Math.round(idle * 10) / 10,
      replica_cpu_pct: cpu,
      machine_busy_pct: busy,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await haproxy?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await counter.close();
    await direct.end({ timeout: 2 });
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${o.schema} CASCADE`).catch(() => {});
    await admin.end({ timeout: 2 });
  }
}

export async function runScaleOut(p: ScaleOutPlan, o: { dbUrl: string; prefix: string; tmpDir: string; log: (l: string) => void }): Promise<ScaleOutResult> {
  const runs: ScaleOutRun[] = [];
  let seq = 0;
  for (const replicas of p.replicas) {
    for (const bus of [true, false]) {
      const schema = `${o.prefix}so${seq++}`;
      o.log(`scale-out: ${replicas} replica(s) ${bus ? "with" : "without"} the bus, ${p.clients} clients, ${p.rate} inserts/s, ${p.durationMs / 1000} s`);
      try {
        const run = await runOne(p, replicas, bus, { ...o, schema });
        o.log(`    held ${run.clients.held}/${run.clients.target} | p50 ${run.latency_ms?.p50 ?? "-"} p99 ${run.latency_ms?.p99 ?? "-"} ms | ${run.db_queries_per_s} db q/s (idle ${run.db_queries_per_s_idle}) | replica cpu ${run.replica_cpu_pct.join("/")}% | machine ${run.machine_busy_pct}%`);
        runs.push(run);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        o.log(`    FAILED: ${error}`);
        runs.push({ replicas, bus, clients: { target: p.clients, held: 0 }, latency_ms: null, rows_delivered: 0, db_queries_per_s: 0, db_queries_per_s_idle: 0, replica_cpu_pct: [], machine_busy_pct: 0, error });
      }
    }
  }
  return { plan: p, runs };
}
