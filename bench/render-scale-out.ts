/** The scale-out section of docs/benchmarks.md (bench/harness/scale-out.ts). */
import type { BenchResults } from "./harness/results.ts";

const f = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? "–" : x.toFixed(digits));

export function scaleOutSection(res: BenchResults): string[] {
  const s = res.scale_out;
  if (!s || s.runs.length === 0) return [];
  const p = s.plan;
  const one = (bus: boolean) => s.runs.find((r) => r.replicas === 1 && r.bus === bus && !r.error);
  return [
    "## Scale-out: replicas behind HAProxy",
    "",
    `${p.clients} WebSocket clients through HAProxy (deploy/haproxy.cfg) to 1…${Math.max(...p.replicas)} replica processes, ${p.rate} inserts/s for ${p.durationMs / 1000} s, poll interval ${p.intervalMs} ms, polling.wake none; with \`cluster.bus\` (NATS: one replica polls, the others follow) and without (every replica polls). Latency: from the row's \`clock_timestamp()\` in its INSERT to its arrival at a client. Database queries: all replicas together, counted at the proxy — while the rows are inserted (the poller's adaptive cadence follows them) and idle (${p.idleMs / 1000} s before).`,
    "",
    "Everything runs on the same machine: PostgreSQL, every replica, HAProxy, NATS, the clients and the writer share its cores, so more replicas cannot add capacity here — they add processes competing for the same two cores. What the table shows is the cost of replicas and what the bus saves the database, not the capacity of a cluster of machines.",
    "",
    "| replicas | bus | clients held | p50 (ms) | p99 (ms) | DB queries/s inserting | DB queries/s idle | replica CPU % | machine busy % |",
    "|--:|---|--:|--:|--:|--:|--:|---|--:|",
    ...s.runs.map((r) =>
      r.error
        ? `| ${r.replicas} | ${r.bus ? "yes" : "no"} | **failed**: ${r.error.split("\n")[0]} | | | | | | |`
        : `| ${r.replicas} | ${r.bus ? "yes" : "no"} | ${r.clients.held} / ${r.clients.target} | ${f(r.latency_ms?.p50, 1)} | ${f(r.latency_ms?.p99, 1)} | ${f(r.db_queries_per_s, 1)} | ${f(r.db_queries_per_s_idle, 1)} | ${r.replica_cpu_pct.map((c) => f(c)).join(" / ")} | ${f(r.machine_busy_pct)} |`,
    ),
    "",
    ...(one(true) && one(false)
      ? [`Idle, one replica sends ${f(one(true)!.db_queries_per_s_idle, 1)} queries/s; with the bus ${s.runs.filter((r) => r.bus && !r.error && r.replicas > 1).map((r) => `${r.replicas} replicas send ${f(r.db_queries_per_s_idle, 1)}`).join(", ")}; without it ${s.runs.filter((r) => !r.bus && !r.error && r.replicas > 1).map((r) => `${r.replicas} send ${f(r.db_queries_per_s_idle, 1)}`).join(", ")}.`, ""]
      : []),
  ];
}
