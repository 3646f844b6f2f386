/**
 * Runs a plan — scenarios side by side, the capacity search, the soak, the idle queries — and returns
 * the results document. Targets that need logical replication run on `walDbUrl`: the given database
 * when its `wal_level` is `logical`, else a private server started for them here and stopped at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Plan } from "../plan.ts";
import { runIdle } from "./idle.ts";
import type { PlantedFault } from "./ipc.ts";
import { gitCommit, machineInfo } from "./machine.ts";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./private-postgres.ts";
import type { BenchResults, IdleResult, ScenarioResult, SearchResult, SoakResult, TargetKey, TargetResult, Workload } from "./results.ts";
import { ratios } from "./ratios.ts";
import { runTarget } from "./run-target.ts";
import { haproxyUnavailable } from "./haproxy.ts";
import { natsUnavailable, runScaleOut, type ScaleOutResult } from "./scale-out.ts";
import { dropSchemas } from "./schema.ts";
import { TARGETS } from "./targets.ts";

export interface BenchOptions {
  dbUrl: string;
  /** Where `dbUrl` came from, for the results: the bench's own private server, or the user's. */
  dbSource?: "private" | "given";
  /** Run at the end, and on SIGINT/SIGTERM before exiting (the caller's private server). */
  cleanup?: () => Promise<void>;
  command: string;
  quick: boolean;
  notes?: string[];
  /** Plant a fault in one client of every run of this target (the harness's own check). */
  plant?: { target: TargetKey; fault: PlantedFault };
  log?: (line: string) => void;
}

function fmt(r: TargetResult): string {
  if (r.status === "failed") return `FAILED: ${r.error}`;
  const l = r.latency_ms;
  const c = r.correctness!;
  return `${r.status === "aborted" ? `ABORTED (${r.error}) ` : ""}p50 ${l?.p50 ?? "-"} p99 ${l?.p99 ?? "-"} max ${l?.max ?? "-"} ms | ${r.insert.achieved_rate}/s in, ${r.delivered_rows_per_s}/s out | lost ${c.lost} dup ${c.duplicated} backlog ${c.backlog} | server cpu ${r.server?.cpu_pct ?? "-"}% rss ${r.server?.peak_rss_mb ?? "-"} MB | clients cpu ${r.clients_process?.cpu_pct ?? "-"}% | ${r.db?.queries_per_s ?? "-"} q/s | machine ${r.machine_busy_pct}%`;
}

async function walLevel(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<{ w: string }[]>`SELECT current_setting('wal_level') AS w`;
    return r?.w ?? null;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

function planTargets(plan: Plan): TargetKey[] {
  return [...plan.scenarios.flatMap((s) => s.targets), ...plan.search.map((s) => s.target), ...(plan.soak ? [plan.soak.target] : []), ...(plan.idle?.targets ?? [])];
}

/** Least-squares slope of RSS over time, in MB per minute, from `fromS` seconds on. */
export function rssSlope(samples: [number, number][], fromS: number): number | null {
  const pts = samples.filter(([t]) => t >= fromS);
  if (pts.length < 3) return null;
  const n = pts.length;
  const mt = pts.reduce((a, [t]) => a + t, 0) / n;
  const mr = pts.reduce((a, [, r]) => a + r, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, r] of pts) {
    num += (t - mt) * (r - mr);
    den += (t - mt) ** 2;
  }
  return den === 0 ? null : Math.round((num / den) * 60 * 100) / 100;
}

/** Why a search step fails, or null when it holds. */
export function searchVerdict(r: TargetResult, rate: number, clients: number, p99LimitMs: number): string | null {
  if (r.status !== "ok") return r.error ?? r.status;
  const c = r.correctness!;
  if (c.lost || c.duplicated) return `${c.lost} lost, ${c.duplicated} duplicated`;
  if (c.backlog) return `${c.backlog} rows not delivered when the drain ended`;
  if (r.clients_ready < clients || c.closed_clients) return `${clients - r.clients_ready} clients not ready, ${c.closed_clients} closed`;
  if (r.insert.achieved_rate < rate * 0.9) return `the writers reached only ${r.insert.achieved_rate} inserts/s`;
  const p99 = r.latency_ms?.p99 ?? Infinity;
  if (p99 >= p99LimitMs) return `p99 ${p99} ms`;
  return null;
}

export async function runBench(plan: Plan, o: BenchOptions): Promise<BenchResults> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const started = Date.now();
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const prefix = `nnbench_${stamp}_${randomBytes(2).toString("hex")}_`;
  const tmpDir = mkdtempSync(join(tmpdir(), "nomnom-bench-"));
  let seq = 0;
  const total = plan.scenarios.reduce((a, s) => a + s.targets.length + (s.repeat ? s.repeat.targets.length * (s.repeat.runs - 1) : 0), 0) + plan.search.reduce((a, s) => a + s.clients.length * s.rates.length, 0) + (plan.soak ? 1 : 0) + (plan.idle?.targets.length ?? 0);
  // Logical replication: on the given database if it has it, else on a private server of our own.
  let walDbUrl: string | null = null;
  let walServer: PrivatePostgres | null = null;
  let walNote: string | undefined;
  if (planTargets(plan).some((t) => TARGETS[t].needsWal)) {
    if ((await walLevel(o.dbUrl)) === "logical") walDbUrl = o.dbUrl;
    else if (privatePostgresUnavailable() === null) {
      log("starting a private PostgreSQL with wal_level = logical for the logical-replication targets");
      walServer = await startPrivatePostgres();
      walDbUrl = walServer.url;
      walNote = "The logical-replication targets ran on a private PostgreSQL (wal_level = logical) the bench started, the others on the given database.";
    } else walNote = `The logical-replication targets could not run: the database's wal_level is not logical and ${privatePostgresUnavailable()}.`;
  }
  const urlOf = (target: TargetKey) => (TARGETS[target].needsWal ? walDbUrl : o.dbUrl);
  const cleanup = async () => {
    await dropSchemas(o.dbUrl, prefix).catch(() => {});
    await walServer?.stop();
    await o.cleanup?.();
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const run = async (what: string, target: TargetKey, workload: Workload, extra: { rssSampleMs?: number } = {}): Promise<TargetResult> => {
    seq++;
    log(`[${seq}/≤${total}] ${what} ${target}: ${workload.rate}/s × ${workload.clients} clients, ${workload.intervalMs} ms, ${workload.durationMs / 1000} s`);
    const dbUrl = urlOf(target);
    if (dbUrl === null) {
      const error = "needs wal_level = logical, and no such server could be used";
      log(`    FAILED: ${error}`);
      return { target, label: TARGETS[target].label, status: "failed", error, workload, insert: { target_rate: workload.rate, achieved_rate: 0, rows: 0, transactions: 0, duration_s: 0, errors: [] }, latency_ms: null, latency_first_client_ms: null, latency_all_clients_ms: null, delivered_rows_per_s: null, deliveries: null, clients_ready: 0, drain: { seconds: 0, ended: "aborted", settled: false }, correctness: null, server: null, clients_process: null, writer_process: null, db: null, machine_busy_pct: 0 };
    }
    const r = await runTarget({
      dbUrl,
      ...(plan.clientsPerProcess ? { clientsPerProcess: plan.clientsPerProcess } : {}),
      schema: `${prefix}${seq}`,
      tmpDir,
      target,
      workload,
      maxDrainMs: plan.maxDrainMs,
      settleLimitMs: plan.settleLimitMs,
      ...(plan.stallMs ? { stallMs: plan.stallMs } : {}),
      ...(plan.quietMs ? { quietMs: plan.quietMs } : {}),
      log,
      ...(o.plant?.target === target ? { plant: o.plant.fault } : {}),
      ...extra,
    });
    log(`    ${fmt(r)}`);
    return r;
  };
  try {
    const machine = await machineInfo(o.dbUrl);
    const notes = [...(o.notes ?? [])];
    if (machine.loadavg_at_start[0]! > 0.5 * machine.cores) notes.push(`The machine was not idle when the run started (load average ${machine.loadavg_at_start.join(", ")} on ${machine.cores} cores); figures are distorted.`);

    const scenarios: ScenarioResult[] = [];
    for (const s of plan.scenarios) {
      const results: TargetResult[] = [];
      for (const t of s.targets) results.push(await run(s.id, t, s.workload));
      const repeats: TargetResult[] = [];
      for (let i = 1; i < (s.repeat?.runs ?? 1); i++) for (const t of s.repeat!.targets) repeats.push(await run(`${s.id} (run ${i + 1})`, t, s.workload));
      scenarios.push({ id: s.id, title: s.title, workload: s.workload, results, ratios: ratios(results), ...(repeats.length ? { repeats } : {}) });
    }

    const search: SearchResult[] = [];
    for (const p of plan.search) {
      const res: SearchResult = { target: p.target, intervalMs: p.intervalMs, p99LimitMs: p.p99LimitMs, steps: [], best: [] };
      for (const clients of p.clients) {
        let best: { rate: number; p99: number | null } | null = null;
        for (const rate of p.rates) {
          const workload: Workload = { rate, clients, intervalMs: p.intervalMs, durationMs: p.durationMs, ...(p.warmupMs ? { warmupMs: p.warmupMs } : {}), writers: 4, tickMs: 10, maxRowsPerTx: 200 };
          let r = await run("search", p.target, workload);
          let why = searchVerdict(r, rate, clients, p.p99LimitMs);
          // A step that lost nothing but missed the latency limit runs once more: one run can meet a pause
          // (GC, the machine's other work) that says nothing of what is sustained. Both runs are reported.
          if (why !== null && r.correctness && r.correctness.lost === 0 && r.correctness.duplicated === 0) {
            res.steps.push({ clients, rate, pass: false, why: `${why}; run once more`, result: r });
            r = await run("search", p.target, workload);
            why = searchVerdict(r, rate, clients, p.p99LimitMs);
          }
          res.steps.push({ clients, rate, pass: why === null, why: why ?? `p99 ${r.latency_ms?.p99} ms, nothing lost`, result: r });
          if (why !== null) break;
          best = { rate, p99: r.latency_ms?.p99 ?? null };
        }
        res.best.push({ clients, rate: best?.rate ?? null, p99: best?.p99 ?? null });
        if (!best) break; // more clients will not do better
      }
      search.push(res);
    }

    const idle: IdleResult[] = [];
    for (const target of plan.idle?.targets ?? []) {
      const dbUrl = urlOf(target);
      seq++;
      log(`[${seq}/≤${total}] idle ${target}: ${plan.idle!.intervalMs} ms, ${plan.idle!.durationMs / 1000} s`);
      const r: IdleResult = dbUrl
        ? await runIdle({ dbUrl, schema: `${prefix}${seq}`, tmpDir, target, intervalMs: plan.idle!.intervalMs, durationMs: plan.idle!.durationMs })
        : { target, intervalMs: plan.idle!.intervalMs, duration_s: 0, queries: 0, queries_per_s: 0, interval_per_s: 1000 / plan.idle!.intervalMs, status: "failed", error: "needs wal_level = logical" };
      log(`    ${r.status === "ok" ? `${r.queries_per_s} queries/s (one poll per interval: ${r.interval_per_s}/s); rows after quiet: ${r.after_quiet_ms?.join(", ")} ms` : `FAILED: ${r.error}`}`);
      idle.push(r);
    }

    let soak: SoakResult | null = null;
    if (plan.soak) {
      const r = await run("soak", plan.soak.target, plan.soak.workload, { rssSampleMs: plan.soak.sampleMs });
      const samples = r.rss_samples ?? [];
      const fittedAfter = Math.min(30, Math.round(plan.soak.workload.durationMs / 5000));
      soak = {
        target: plan.soak.target,
        result: { ...r, rss_samples: undefined },
        rss: {
          start_mb: samples[0]?.[1] ?? null,
          end_mb: samples[samples.length - 1]?.[1] ?? null,
          peak_mb: r.server?.peak_rss_mb ?? null,
          slope_mb_per_min: rssSlope(samples, fittedAfter),
          samples,
          fitted_after_s: fittedAfter,
        },
      };
      delete soak.result.rss_samples;
    }

    // Replicas behind HAProxy need haproxy and NATS: without them the scenario is left out, and the notes say why.
    let scaleOut: ScaleOutResult | null = null;
    if (plan.scaleOut) {
      const missing = haproxyUnavailable() ?? (await natsUnavailable(plan.scaleOut.natsUrl));
      if (missing) notes.push(`The scale-out scenario did not run: ${missing}.`);
      else scaleOut = await runScaleOut(plan.scaleOut, { dbUrl: o.dbUrl, prefix, tmpDir, log });
    }

    const all = [...scenarios.flatMap((s) => s.results), ...search.flatMap((s) => s.steps.map((x) => x.result)), ...(soak ? [soak.result] : [])];
    const clientBound = all.filter((r) => (r.clients_busiest_cpu_pct ?? r.clients_process?.cpu_pct ?? 0) > 90);
    if (clientBound.length) notes.push(`In ${clientBound.length} run(s) a clients process used more than 90 % of a core; there the clients, not the server, may set the pace (see clients_busiest_cpu_pct).`);
    if (walNote) notes.push(walNote);
    const busy = all.filter((r) => r.machine_busy_pct > 95);
    if (busy.length) notes.push(`In ${busy.length} run(s) both cores were over 95 % busy: everything (PostgreSQL, server, clients, writer) shares this machine.`);
    const settings = { max_drain_ms: plan.maxDrainMs, settle_limit_ms: plan.settleLimitMs, stall_ms: plan.stallMs ?? null, quiet_ms: plan.quietMs ?? null };
    const database = { source: o.dbSource ?? "given", wal: walDbUrl === null ? "unavailable" : walDbUrl === o.dbUrl ? "same" : "private" } as const;
    return {
      version: 1,
      date: new Date(started).toISOString(),
      command: o.command,
      quick: o.quick,
      git: gitCommit(),
      machine,
      notes,
      settings,
      scenarios,
      search,
      soak,
      idle,
      scale_out: scaleOut,
      database: walNote ? { ...database, note: walNote } : database,
      elapsed_s: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
