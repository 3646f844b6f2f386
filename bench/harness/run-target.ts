/**
 * One measured run: one target, one workload, fresh schema. The server and all clients are up
 * (nomnom-live clients subscribed) before the writer starts, so every committed row is owed to every
 * client; CPU, queries and machine load are taken over the writer's window. After it the run drains
 * (until every client holds every row, the clients go quiet, or the drain limit), then freezes the
 * server (its queries are held at the proxy, so it reads nothing new), takes its cursor, waits for the
 * clients to go quiet, and has the collectors judge every missing row lost or backlog (ipc.ts, Judgement).
 *
 * The clients are spread over several processes (`clientsPerProcess` each): one process holding
 * hundreds of clients uses more CPU than the server and would set the pace. Each reports its share,
 * merged into one report (collector.ts, mergeReports).
 */
import postgres from "postgres";
import { Clients, spread } from "./clients-processes.ts";
import type { FromWriter, Judgement, Passed, PlantedFault, ToWriter, WriterDone } from "./ipc.ts";
import { wallNow } from "./ipc.ts";
import { startQueryCounter, type QueryCounter } from "./pg-proxy.ts";
import { busyPercent, cpuSeconds, machineTicks, memoryMb } from "./proc.ts";
import type { ProcessFigures, TargetKey, TargetResult, Workload } from "./results.ts";
import { TABLE, tableSql, withSearchPath } from "./schema.ts";
import { forkChild, type Child } from "./spawn.ts";
import { TARGETS, type Started } from "./targets.ts";

export interface RunOptions {
  /** postgres://user@host:port/db of the database to use. */
  dbUrl: string;
  /** Schema name of this run (unique, plain lower case). */
  schema: string;
  tmpDir: string;
  target: TargetKey;
  workload: Workload;
  plant?: PlantedFault;
  /** A server or the clients process past this resident size is stopped and the run marked aborted. */
  rssLimitMb?: number;
  /** How long after the writer ends deliveries may continue. */
  maxDrainMs?: number;
  /** The drain ends once no frame arrived for this long (default: 2 s or 3 poll intervals). */
  stallMs?: number;
  /** After the freeze, the clients are quiet after this long without a frame (default 1 s). */
  quietMs?: number;
  /** How long to wait, at most, for the clients to go quiet once the server is frozen. */
  settleLimitMs?: number;
  /** Record the server's RSS every this many ms into `rss_samples` (the soak). */
  rssSampleMs?: number;
  /** WebSocket clients per clients process (default 250). */
  clientsPerProcess?: number;
  log?: (line: string) => void;
}

function sumPolls(m: Record<string, number> | undefined): number | null {
  if (!m) return null;
  let n = 0;
  let seen = false;
  for (const [k, v] of Object.entries(m)) {
    if (!k.startsWith("nomnom_poll_duration_seconds_count")) continue;
    n += v;
    seen = true;
  }
  return seen ? n : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU a server may use in a 250 ms step and still count as idle (timers, heartbeats, stats). */
const SERVER_IDLE_CPU_S = 0.02;

function cursorKey(p: Passed): string {
  return p.kind === "bitmap" ? Buffer.from(p.bits).toString("base64") : JSON.stringify(p);
}

const QUERIES_COUNTED = "Query ('Q') and Execute ('E') protocol messages the server sent to PostgreSQL, counted by a proxy between them, over the writer's window";

function processFigures(pid: number | null, cpu0: number | null, cpu1: number | null, windowS: number, rss0: number | null, rss1: number | null, hwm: number | null): ProcessFigures | null {
  if (pid === null) return null;
  const cpu = cpu0 === null || cpu1 === null ? null : Math.round((cpu1 - cpu0) * 100) / 100;
  return {
    cpu_s: cpu,
    cpu_pct: cpu === null || windowS <= 0 ? null : Math.round((cpu / windowS) * 1000) / 10,
    peak_rss_mb: hwm === null ? null : Math.round(hwm),
    rss_start_mb: rss0 === null ? null : Math.round(rss0),
    rss_end_mb: rss1 === null ? null : Math.round(rss1),
  };
}

export async function runTarget(o: RunOptions): Promise<TargetResult> {
  const def = TARGETS[o.target];
  const log = o.log ?? (() => {});
  const w = o.workload;
  const rssLimit = o.rssLimitMb ?? 6144;
  const maxDrainMs = o.maxDrainMs ?? 20_000;
  const settleLimitMs = o.settleLimitMs ?? 30_000;
  const admin = postgres(o.dbUrl, { max: 2, onnotice: () => {} });
  let proxy: QueryCounter | null = null;
  let started: Started | null = null;
  let clients: Clients | null = null;
  let writer: Child<ToWriter, FromWriter> | null = null;
  const base: TargetResult = {
    target: o.target,
    label: def.label,
    status: "failed",
    workload: w,
    insert: { target_rate: w.rate, achieved_rate: 0, rows: 0, transactions: 0, duration_s: 0, errors: [] },
    latency_ms: null,
    latency_first_client_ms: null,
    latency_all_clients_ms: null,
    delivered_rows_per_s: null,
    deliveries: null,
    deliveries_in_window: null,
    clients_ready: 0,
    drain: { seconds: 0, ended: "aborted", settled: false },
    correctness: null,
    server: null,
    clients_process: null,
    writer_process: null,
    db: null,
    machine_busy_pct: 0,
  };
  try {
    await admin.unsafe(tableSql(o.schema) + (def.setupSql?.(o.schema) ?? ""));
    const url = new URL(o.dbUrl);
    if (def.usesDb) proxy = await startQueryCounter({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(o.dbUrl);
    if (proxy) {
      proxied.hostname = "127.0.0.1";
      proxied.port = String(proxy.port);
    }
    const ctx = { schema: o.schema, workload: w, serverDbUrl: withSearchPath(proxied.toString(), o.schema), directDbUrl: withSearchPath(o.dbUrl, o.schema), admin, tmpDir: o.tmpDir };
    started = await def.start(ctx);
    const serverPid = started.server?.pid ?? null;

    // Clients (or the LISTEN / replication client), all ready before the first insert; the writer connects meanwhile.
    const sizes = started.collector.single ? [1] : spread(w.clients, o.clientsPerProcess);
    const c = (clients = new Clients(started.collector.module, sizes));
    const init = {
      type: "init" as const,
      url: started.collector.url,
      waitFor: started.collector.waitFor,
      ...(started.collector.channel ? { channel: started.collector.channel } : {}),
      ...(started.collector.table ? { table: started.collector.table } : {}),
    };
    writer = forkChild<ToWriter, FromWriter>("./writer.ts");
    writer.send({ type: "init", dbUrl: ctx.directDbUrl, table: `${o.schema}.${TABLE}`, rate: w.rate, durationMs: w.durationMs, connections: w.writers, tickMs: w.tickMs, maxRowsPerTx: w.maxRowsPerTx, ...(started.push ? { push: started.push } : {}) });
    const [ready] = await Promise.all([c.init(init, o.plant), writer.next("initialised", (m): m is { type: "initialised" } => m.type === "initialised", 30_000)]);
    base.clients_ready = ready.clients;
    if (ready.failed > 0) log(`  ${ready.failed} of ${sizes.reduce((a, b) => a + b, 0)} clients failed to connect (${ready.firstError})`);

    // Commits flow from here on, to every clients process.
    writer.on((m) => {
      if (m.type === "commits") c.send(m);
    });

    // The writer starts now; the measured window after its warm-up (Workload.warmupMs).
    const wr = writer;
    const measureFrom = wallNow() + (w.warmupMs ?? 0);
    c.send({ type: "measure-from", at: measureFrom });
    wr.send({ type: "start", measureFrom });
    if (w.warmupMs) await sleep(measureFrom - wallNow());
    const cpu0 = { server: serverPid && cpuSeconds(serverPid), clients: c.cpu(), writer: cpuSeconds(writer.pid) };
    const rss0 = serverPid ? memoryMb(serverPid)?.rss ?? null : null;
    const q0 = proxy?.queries ?? 0;
    const m0 = machineTicks();
    const t0 = wallNow();
    const metrics0 = started.metrics ? await started.metrics().catch(() => undefined) : undefined;
    let aborted: string | null = null;
    // The soak's RSS series: its own timer (the watchdog's 250 ms would set the pace otherwise), and a
    // sample at the start and at the end of the run so the series always spans it.
    const samples: [number, number][] = [];
    const sampleRss = () => {
      const sm = serverPid ? memoryMb(serverPid) : null;
      if (sm) samples.push([Math.round((wallNow() - t0) / 100) / 10, Math.round(sm.rss * 10) / 10]);
    };
    const sampler = o.rssSampleMs ? setInterval(sampleRss, o.rssSampleMs) : null;
    if (sampler) sampleRss();
    const watchdog = setInterval(() => {
      const sm = serverPid ? memoryMb(serverPid) : null;
      const cm = c.rss();
      if (!aborted && ((sm && sm.rss > rssLimit) || cm > rssLimit)) {
        aborted = `${sm && sm.rss > rssLimit ? "server" : "clients process"} passed ${rssLimit} MB resident`;
        log(`  aborting: ${aborted}`);
        wr.send({ type: "stop" });
      }
    }, 250);

    const done: WriterDone = await wr.next("writer done", (m): m is WriterDone => m.type === "done", w.durationMs + 120_000);
    const t1 = wallNow();
    const cpu1 = { server: serverPid && cpuSeconds(serverPid), clients: c.cpu(), writer: cpuSeconds(wr.pid) };
    const rss1 = serverPid ? memoryMb(serverPid)?.rss ?? null : null;
    const q1 = proxy?.queries ?? 0;
    const m1 = machineTicks();
    const metrics1 = started.metrics ? await started.metrics().catch(() => undefined) : undefined;
    c.send({ type: "writer-done", rows: done.rows, maxId: done.maxId, startedAt: done.startedAt, endedAt: done.endedAt });

    // Drain: until every client holds every row, the clients have been quiet for a while, or the limit.
    const stallMs = o.stallMs ?? Math.max(2_000, 3 * w.intervalMs);
    const quietMs = o.quietMs ?? 1_000;
    let ended: TargetResult["drain"]["ended"] = "timeout";
    for (;;) {
      await sleep(100);
      if (aborted) {
        ended = "aborted";
        break;
      }
      if (c.state.complete) {
        ended = "complete";
        break;
      }
      if (c.state.idleMs >= stallMs) {
        ended = "stalled";
        break;
      }
      if (wallNow() - done.endedAt > maxDrainMs) break;
    }
    const drainS = (wallNow() - done.endedAt) / 1000;
    clearInterval(watchdog);
    if (sampler) {
      clearInterval(sampler);
      sampleRss();
    }
    const hwm = serverPid ? memoryMb(serverPid)?.hwm ?? null : null;
    const clientsHwm = c.hwm();
    const serverMetrics = started.metrics ? await started.metrics().catch(() => undefined) : undefined;

    // Settle: stop the server reading anything new (its queries are held at the proxy), take its cursor
    // once it stops moving, and let what it already sent arrive; then judge what is missing (Judgement).
    proxy?.freeze();
    let passed: Passed;
    try {
      passed = await started.cursor();
      for (let i = 0; i < 20; i++) {
        await sleep(150);
        const again = await started.cursor();
        const same = cursorKey(again) === cursorKey(passed);
        passed = again;
        if (same) break;
      }
    } catch (e) {
      log(`  could not read the server's cursor (${(e as Error).message}); every missing row counts as lost`);
      passed = { kind: "all" };
    }
    // Quiet clients alone do not prove the server is done: one stuck in a long synchronous broadcast, or
    // one still working through a queue, sends nothing for a while. So the server must be idle too.
    const settleStart = wallNow();
    let settled = c.state.complete;
    let cpuBefore = serverPid ? cpuSeconds(serverPid) : null;
    while (!settled && wallNow() - settleStart < settleLimitMs) {
      await sleep(250);
      const cpuNow = serverPid ? cpuSeconds(serverPid) : null;
      const serverIdle = cpuBefore === null || cpuNow === null || cpuNow - cpuBefore <= SERVER_IDLE_CPU_S;
      cpuBefore = cpuNow;
      settled = c.state.complete || (c.state.idleMs >= quietMs && serverIdle);
    }
    if (!settled) log(`  clients or server still busy ${settleLimitMs / 1000} s after the server was frozen; only holes count as lost`);
    const judgement: Judgement = { holes: def.inOrder, passed: settled && !def.catchesUp ? passed : { kind: "none" } };
    const report = await c.finish(judgement);

    const windowS = (t1 - t0) / 1000;
    const writeS = (done.endedAt - done.startedAt) / 1000;
    const clientsCpu = cpu0.clients.map((x, i) => (x === null || cpu1.clients[i] === null ? null : cpu1.clients[i]! - x));
    const clientsCpuS = clientsCpu.some((x) => x === null) ? null : clientsCpu.reduce<number>((a, x) => a + x!, 0);
    const polls0 = sumPolls(metrics0);
    const polls1 = sumPolls(metrics1);
    return {
      ...base,
      status: aborted ? "aborted" : "ok",
      ...(aborted ? { error: aborted } : {}),
      insert: {
        target_rate: w.rate,
        achieved_rate: Math.round(done.measured.rows / writeS),
        rows: done.measured.rows,
        transactions: done.measured.transactions,
        duration_s: Math.round(writeS * 100) / 100,
        errors: done.errors,
        ...(w.warmupMs ? { warmup: { rows: done.rows - done.measured.rows, transactions: done.transactions - done.measured.transactions, duration_s: w.warmupMs / 1000 } } : {}),
      },
      latency_ms: report.latency,
      latency_first_client_ms: report.latencyFirstClient,
      latency_all_clients_ms: report.latencyAllClients,
      delivered_rows_per_s: Math.round(report.deliveriesInWindow / writeS),
      deliveries: report.deliveries,
      deliveries_in_window: report.deliveriesInWindow,
      clients_ready: report.clientsReady,
      drain: { seconds: Math.round(drainS * 10) / 10, ended, settled },
      correctness: {
        lost: report.totals.lost,
        duplicated: report.totals.duplicated,
        backlog: report.totals.backlog,
        extra: report.totals.extra,
        clients_with_loss: report.totals.clientsWithLoss,
        lagging_notices: report.totals.lagging,
        errors: report.totals.errors,
        closed_clients: report.totals.closedClients,
        unrecognised_frames: report.unrecognisedFrames,
        per_client: report.perClient,
      },
      server: processFigures(serverPid, cpu0.server, cpu1.server, windowS, rss0, rss1, hwm),
      clients_process: processFigures(c.children[0]!.pid, 0, clientsCpuS, windowS, null, null, clientsHwm),
      clients_processes: c.children.length,
      clients_busiest_cpu_pct: clientsCpu.some((x) => x === null) || windowS <= 0 ? null : Math.round((Math.max(...clientsCpu.map((x) => x!)) / windowS) * 1000) / 10,
      writer_process: processFigures(wr.pid, cpu0.writer, cpu1.writer, windowS, null, null, null),
      db: proxy ? { queries: q1 - q0, queries_per_s: Math.round(((q1 - q0) / windowS) * 10) / 10, connections: proxy.connections, counted: QUERIES_COUNTED } : null,
      machine_busy_pct: busyPercent(m0, m1),
      ...(polls0 !== null && polls1 !== null && windowS > 0 ? { server_polls_per_s: Math.round(((polls1 - polls0) / windowS) * 10) / 10 } : {}),
      ...(serverMetrics ? { server_metrics: serverMetrics } : {}),
      ...(o.rssSampleMs ? { rss_samples: samples } : {}),
    };
  } catch (e) {
    return { ...base, status: "failed", error: e instanceof Error ? e.message : String(e) };
  } finally {
    // The proxy first: a server waiting on its frozen queries then sees them fail and stops at once.
    await proxy?.close();
    // Everything is measured by now; a server that does not stop at once is not waited for.
    await Promise.allSettled([writer?.stop(), clients?.stop(), started?.server?.stop(300)]);
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${o.schema} CASCADE; ${def.teardownSql?.(o.schema) ?? ""}`).catch((e: unknown) => log(`  could not drop schema ${o.schema}: ${(e as Error).message}`));
    await admin.end({ timeout: 2 });
  }
}
