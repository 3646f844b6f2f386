/**
 * Renders a results file into docs/benchmarks.md and the README's benchmarks block, so the document
 * says exactly what the JSON says. `npm run bench` calls it after a full run; re-render any file with
 *
 *   npm run bench -- --render bench/results/latest.json
 */
import type { LatencySummary } from "./harness/histogram.ts";
import type { BenchResults, Ratio, ScenarioResult, TargetKey, TargetResult } from "./harness/results.ts";

const SHORT: Record<TargetKey, string> = {
  "nomnom-row": "nomnom-live, per-row frames",
  "nomnom-batch": "nomnom-live, batch frames",
  seed000: "seed-000 design",
  seed001: "seed-001 design",
  "notify-floor": "NOTIFY floor",
  "ws-ceiling-row": "ws ceiling, per-row",
  "ws-ceiling-batch": "ws ceiling, batch frames",
  "ws-plain-row": "plain ws fan-out, per-row",
};

function num(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ms(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  return num(x, Math.abs(x) < 10 ? 1 : 0);
}

function times(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : `${num(x, x < 10 ? 2 : 1)}×`;
}

function signed(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : `${x > 0 ? "+" : ""}${ms(x)}`;
}

/** A percentile; "∞" when it falls among deliveries that never arrived. */
function pct(l: LatencySummary | null | undefined, k: "p50" | "p95" | "p99"): string {
  if (l && l[k] === null && l.undelivered > 0) return "∞";
  return ms(l?.[k]);
}

function lat(l: LatencySummary | null): [string, string, string, string] {
  return [pct(l, "p50"), pct(l, "p95"), pct(l, "p99"), ms(l?.max)];
}

function status(r: TargetResult): string {
  if (r.status === "failed") return ` **failed**: ${r.error}`;
  if (r.status === "aborted") return ` **aborted**: ${r.error}`;
  return "";
}

function scenarioTable(s: ScenarioResult): string {
  const head =
    "| Target | p50 | p95 | p99 | max | p99 to all clients | inserts/s | rows delivered/s | lost | dup. | backlog | server CPU % | server peak RSS MB | DB queries/s | clients CPU % | machine busy % |\n" +
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|";
  const rows = s.results.map((r) => {
    const c = r.correctness;
    return `| ${SHORT[r.target]}${status(r)} | ${lat(r.latency_ms).join(" | ")} | ${pct(r.latency_all_clients_ms, "p99")} | ${num(r.insert.achieved_rate)} | ${num(r.delivered_rows_per_s)} | ${num(c?.lost)} | ${num(c?.duplicated)} | ${num(c?.backlog)} | ${num(r.server?.cpu_pct, 1)} | ${num(r.server?.peak_rss_mb)} | ${r.db ? num(r.db.queries_per_s, 1) : "–"} | ${num(r.clients_process?.cpu_pct, 1)} | ${num(r.machine_busy_pct)} |`;
  });
  return [head, ...rows].join("\n");
}

function ratioTable(ratios: Ratio[]): string {
  if (ratios.length === 0) return "";
  const head =
    "| Ours | compared with | p50 × | p99 × | p99 difference (ms) | rows delivered/s × | server CPU per delivery × | server peak RSS × | DB queries/s × |\n|---|---|--:|--:|--:|--:|--:|--:|--:|";
  const rows = ratios.map(
    (r) =>
      `| ${SHORT[r.ours]} | ${SHORT[r.to]} | ${times(r.latency_p50)} | ${times(r.latency_p99)} | ${signed(r.latency_p99_diff_ms)} | ${times(r.delivered_per_s)} | ${times(r.server_cpu_per_delivery)} | ${times(r.server_peak_rss)} | ${times(r.db_queries_per_s)} |`,
  );
  return [head, ...rows].join("\n");
}

function correctnessNotes(res: BenchResults): string[] {
  const lines: string[] = [];
  for (const s of res.scenarios) {
    for (const r of s.results) {
      const c = r.correctness;
      if (!c) continue;
      const faults: string[] = [];
      if (c.lost) faults.push(`${num(c.lost)} row deliveries lost (${c.clients_with_loss} of ${r.clients_ready} clients; e.g. ids ${c.per_client.find((p) => p.lost)?.lostSample.join(", ") ?? "–"})`);
      if (c.duplicated) faults.push(`${num(c.duplicated)} duplicated`);
      if (c.backlog) faults.push(`${num(c.backlog)} row deliveries still unsent when the drain ended (${r.drain.seconds} s after the writer stopped)`);
      if (c.lagging_notices) faults.push(`${num(c.lagging_notices)} \`lagging\` notices (clients resynchronised from the database)`);
      if (c.closed_clients) faults.push(`${num(c.closed_clients)} clients closed by the server`);
      const m = r.server_metrics ?? {};
      const sum = (prefix: string) => Object.entries(m).reduce((a, [k, v]) => (k.startsWith(prefix) ? a + v : a), 0);
      const dropped = sum("nomnom_client_messages_dropped_total");
      if (dropped) faults.push(`the server dropped ${num(dropped)} frames for lagging clients and had started ${num(sum("nomnom_client_resyncs_total"))} resynchronisations when the drain ended`);
      const skipped = sum("nomnom_gap_keys_skipped_total");
      if (skipped) faults.push(`the server skipped ${num(skipped)} key gaps`);
      if (faults.length) lines.push(`- **${s.id}, ${SHORT[r.target]}**: ${faults.join("; ")}.`);
    }
  }
  return lines;
}

export function renderDoc(res: BenchResults, jsonPath: string): string {
  const m = res.machine;
  const out: string[] = [];
  out.push("# Benchmarks");
  out.push("");
  out.push(`<!-- Generated by \`npm run bench\` from ${jsonPath}; do not edit by hand. Re-render: npm run bench -- --render ${jsonPath} -->`);
  out.push("");
  out.push(
    "Insert-to-client latency, throughput and fan-out of nomnom-live against the two seed designs it replaces, written as minimal faithful servers " +
      "([seed-000](../bench/baselines/seed000-server.ts): table polling, a message per row serialised per client; " +
      "[seed-001](../bench/baselines/seed001-server.ts): triggers into `db_events`, polled), and against two limits of this machine: PostgreSQL's own " +
      "commit-to-NOTIFY delivery ([notify-floor](../bench/baselines/notify-floor.ts)) and a bare `ws` server broadcasting pre-serialised frames " +
      "([ws-ceiling](../bench/baselines/ws-ceiling.ts)). Every target runs on the same workload in the same run.",
  );
  out.push("");
  out.push("Run it yourself: `npm run bench` (about 20 minutes, a 5-minute soak included) or `npm run bench -- --quick` (under two minutes). Nothing else should run on the machine meanwhile.");
  out.push("");
  out.push(`- **Date**: ${res.date}${res.quick ? " (quick run)" : ""}`);
  out.push(`- **Command**: \`${res.command}\``);
  out.push(`- **Commit**: ${res.git ?? "unknown"}`);
  out.push(`- **Results**: [${jsonPath}](../${jsonPath})`);
  out.push(`- **Duration**: ${Math.round(res.elapsed_s / 60)} min`);
  out.push("");
  out.push("| Machine | |");
  out.push("|---|---|");
  out.push(`| CPU | ${m.cpu}, ${m.cores} cores |`);
  out.push(`| RAM | ${m.ram_gb} GB |`);
  out.push(`| Node.js | ${m.node} |`);
  out.push(`| PostgreSQL | ${m.postgres} |`);
  out.push(`| OS | ${m.os}, kernel ${m.kernel} |`);
  out.push(`| Load average at start | ${m.loadavg_at_start.join(", ")} |`);
  out.push("");
  if (res.notes.length) {
    out.push("**Notes on this run**");
    out.push("");
    for (const n of res.notes) out.push(`- ${n}`);
    out.push("");
  }
  out.push("## How it is measured");
  out.push("");
  out.push(
    [
      "- Every run uses a fresh schema with the seeds' `orders` table. Processes: the server under test, a clients process holding the WebSocket clients, a writer process, PostgreSQL — all on this one machine, sharing its cores and its clock.",
      "- The writer's 4 connections insert at the target rate, each committing at most every 10 ms with every row then due, in its own transaction (`BEGIN; INSERT … RETURNING *; COMMIT`), so concurrent commits land out of id order as in production. A row's **commit time** is the writer's wall clock right after `COMMIT` returned, keyed by the ids `RETURNING` gave.",
      "- Each client records the wall clock when a frame arrives and the ids in it. **Latency** is receipt minus commit time, for every (row, client) delivery; *p99 to all clients* is per row, until the last client had it. Because commit time is taken when the writer sees `COMMIT` return, a listener can see the row slightly *before* it (the NOTIFY floor shows this as values at or below 0 ms; negatives are counted and recorded as 0). Deliveries owed but not made by the end of the run rank above all others: a percentile that falls among them shows as **∞** instead of a figure over the rows that did arrive; *max* is over delivered rows.",
      `- When the writer stops, the run drains (until every client holds every row, the clients have been quiet for ${res.settings.stall_ms === null ? "2 s or 3 poll intervals" : `${res.settings.stall_ms / 1000} s`}, or ${res.settings.max_drain_ms / 1000} s after the writer stopped), then **freezes** the server — its queries are held at the proxy, so it reads nothing new — takes its cursor, and waits until the clients go quiet (no frame for ${(res.settings.quiet_ms ?? 1000) / 1000} s, at most ${res.settings.settle_limit_ms / 1000} s). Then, per client and row (per-client id bitsets make this exact): **lost** = a row that can never arrive: missing below the highest id the client holds, for the designs that send each client its rows in id order (nomnom-live, seed-000), or — for the designs that never go back for a row (the seeds, the limits) — missing although the frozen server had passed it; **backlog** = every other missing row: not read by the server yet, still queued, or (nomnom-live) owed to a client it was resynchronising from the database after a \`lagging\` notice; **duplicated** = a row a client received twice.`,
      "- **Rows delivered/s** = deliveries to all clients received during the writer's window, per second. **Server CPU %** = utime + stime from `/proc/<pid>/stat` over the writer's window, in % of one core; **peak RSS** = `VmHWM` of `/proc/<pid>/status`. The clients process's CPU is shown too: near 100 % it, not the server, may set the pace.",
      "- **DB queries/s** = Query and Execute protocol messages the server sent to PostgreSQL, counted by a proxy the harness puts between them (pg_stat_statements needs a restart to load; database-wide counters include the writer). The writer's inserts are not counted.",
      "- nomnom-live is measured with per-row frames (the seed-compatible default) and with `?batch=1` frames (one frame per poll). Both seed designs use `LIMIT 100` and sleep a full interval after every poll, so they deliver at most 100 rows per interval (200/s at 500 ms): above that their backlog grows without bound.",
    ].join("\n"),
  );
  out.push("");
  for (const s of res.scenarios) {
    out.push(`## ${s.title}`);
    out.push("");
    out.push(`Scenario \`${s.id}\`: ${num(s.workload.rate)} inserts/s target for ${s.workload.durationMs / 1000} s, ${num(s.workload.clients)} WebSocket clients (the NOTIFY floor has one LISTEN connection), poll interval ${s.workload.intervalMs} ms. Latencies in ms.`);
    out.push("");
    out.push(scenarioTable(s));
    out.push("");
    if (s.ratios.length) {
      out.push("Ours as a ratio to each (ours ÷ theirs; below 1× is lower):");
      out.push("");
      out.push(ratioTable(s.ratios));
      out.push("");
    }
  }
  if (res.search.length) {
    out.push("## Highest sustained load (p99 under the limit, nothing lost)");
    out.push("");
    for (const s of res.search) {
      out.push(`${SHORT[s.target]}, poll interval ${s.intervalMs} ms: rates stepped up per client count until p99 reached ${s.p99LimitMs} ms, a row was lost, duplicated or left undelivered, or the writers fell below 90 % of the target.`);
      out.push("");
      out.push("| Clients | Highest rate that held | its p99 (ms) |");
      out.push("|--:|--:|--:|");
      for (const b of s.best) out.push(`| ${num(b.clients)} | ${b.rate === null ? "none tried held" : `${num(b.rate)} inserts/s`} | ${ms(b.p99)} |`);
      out.push("");
      out.push("| Clients | Target rate | Achieved | p50 | p99 | rows delivered/s | server CPU % | clients CPU % | Verdict |");
      out.push("|--:|--:|--:|--:|--:|--:|--:|--:|---|");
      for (const st of s.steps) {
        const r = st.result;
        out.push(`| ${num(st.clients)} | ${num(st.rate)} | ${num(r.insert.achieved_rate)} | ${pct(r.latency_ms, "p50")} | ${pct(r.latency_ms, "p99")} | ${num(r.delivered_rows_per_s)} | ${num(r.server?.cpu_pct, 1)} | ${num(r.clients_process?.cpu_pct, 1)} | ${st.pass ? "holds" : `fails: ${st.why}`} |`);
      }
      out.push("");
    }
  }
  if (res.soak) {
    const k = res.soak;
    const r = k.result;
    const w = r.workload;
    out.push(`## Soak: ${num(w.rate)} inserts/s for ${w.durationMs >= 60_000 ? `${num(w.durationMs / 60_000, 1)} min` : `${w.durationMs / 1000} s`}`);
    out.push("");
    out.push(`${SHORT[k.target]}, ${num(w.clients)} clients, poll interval ${w.intervalMs} ms. Server RSS sampled every few seconds; the slope is a least-squares fit from ${k.rss.fitted_after_s} s on.`);
    out.push("");
    out.push("| RSS start MB | RSS end MB | peak RSS MB | slope MB/min | p50 | p99 | max | rows | lost | dup. | server CPU % |");
    out.push("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    out.push(`| ${num(k.rss.start_mb)} | ${num(k.rss.end_mb)} | ${num(k.rss.peak_mb)} | ${num(k.rss.slope_mb_per_min, 2)} | ${pct(r.latency_ms, "p50")} | ${pct(r.latency_ms, "p99")} | ${ms(r.latency_ms?.max)} | ${num(r.insert.rows)} | ${num(r.correctness?.lost)} | ${num(r.correctness?.duplicated)} | ${num(r.server?.cpu_pct, 1)} |`);
    out.push("");
  }
  const faults = correctnessNotes(res);
  out.push("## Correctness");
  out.push("");
  out.push(
    faults.length
      ? "What went missing, twice or late, per run. Both seed designs read `WHERE id > last`: seed-000 on the table, seed-001 on `db_events`, whose ids are drawn inside the inserting transaction too, so both pass over a row whose transaction commits after a higher id was read — the failure nomnom-live's gap-safe cursor exists to prevent. Backlog is what a design had not delivered when the run ended: a throughput limit, not a loss."
      : "No run lost, duplicated or left behind a row.",
  );
  out.push("");
  out.push(...faults);
  out.push("");
  return out.join("\n");
}

export function renderReadmeSection(res: BenchResults, jsonPath: string): string {
  const out: string[] = [];
  out.push("## Benchmarks");
  out.push("");
  out.push(`[docs/benchmarks.md](docs/benchmarks.md): insert-to-client latency, throughput and fan-out against the seed designs, PostgreSQL's NOTIFY floor and a bare \`ws\` ceiling — \`npm run bench\`, ${res.date.slice(0, 10)}, ${res.machine.cpu} × ${res.machine.cores} cores (from [${jsonPath}](${jsonPath})).`);
  out.push("");
  for (const n of res.notes) out.push(`> ${n}`);
  if (res.notes.length) out.push("");
  out.push("| Scenario | nomnom-live p99, per-row / batch (ms) | seed-000 p99 (ms) | seed-001 p99 (ms) | rows lost: ours / seed-000 / seed-001 |");
  out.push("|---|--:|--:|--:|--:|");
  for (const s of res.scenarios) {
    const get = (k: TargetKey) => s.results.find((r) => r.target === k);
    const lost = (k: TargetKey) => num(get(k)?.correctness?.lost);
    const ours = (get("nomnom-row")?.correctness?.lost ?? 0) + (get("nomnom-batch")?.correctness?.lost ?? 0);
    out.push(`| ${s.id} | ${pct(get("nomnom-row")?.latency_ms, "p99")} / ${pct(get("nomnom-batch")?.latency_ms, "p99")} | ${pct(get("seed000")?.latency_ms, "p99")} | ${pct(get("seed001")?.latency_ms, "p99")} | ${num(ours)} / ${lost("seed000")} / ${lost("seed001")} |`);
  }
  out.push("");
  out.push("∞: more than 1 % of the deliveries owed had not arrived when the run ended (the design fell behind the insert rate).");
  return out.join("\n");
}

/** Replaces the body of the README's `<!-- section: benchmarks -->` block, leaving the rest as it is. */
export function replaceReadmeSection(readme: string, body: string): string {
  const start = "<!-- section: benchmarks -->";
  const i = readme.indexOf(start);
  if (i < 0) throw new Error("README.md has no <!-- section: benchmarks --> block");
  const j = readme.indexOf("<!-- /section -->", i);
  if (j < 0) throw new Error("README.md's benchmarks block is not closed");
  return `${readme.slice(0, i + start.length)}\n${body}\n${readme.slice(j)}`;
}
