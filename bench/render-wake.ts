/**
 * The parts of the bench documents about waking the poller on commit: latency by `polling.wake` beside
 * PostgreSQL's own floors, the idle queries of each setting, and the live-on-commit targets (issue 14)
 * with what this run measured against each.
 */
import type { BenchResults, IdleResult, ScenarioResult, TargetKey, TargetResult } from "./harness/results.ts";
import { cpuPerKDelivery } from "./harness/ratios.ts";
import { BY_WAKE, ms, num, pct, SHORT, times } from "./render-format.ts";

function get(s: ScenarioResult | undefined, k: TargetKey | null): TargetResult | undefined {
  return k === null ? undefined : s?.results.find((r) => r.target === k && r.status !== "failed");
}

function p(r: TargetResult | undefined, k: "p50" | "p99"): string {
  return r ? pct(r.latency_ms, k) : "–";
}

/** One row per scenario and setting: per-row and batch frames, and the floor of the bell that woke it. */
export function wakeSection(res: BenchResults): string[] {
  const rows: string[] = [];
  for (const s of res.scenarios) {
    for (const b of BY_WAKE) {
      const row = get(s, b.row);
      const batch = get(s, b.batch);
      const floor = get(s, b.floor);
      if (!row && !batch) continue;
      rows.push(
        `| ${s.id} | ${b.wake} | ${p(row, "p50")} / ${p(row, "p99")} | ${p(batch, "p50")} / ${p(batch, "p99")} | ${floor ? `${p(floor, "p50")} / ${p(floor, "p99")}` : "–"} | ${num(row?.server_polls_per_s, 1)} | ${row?.db ? num(row.db.queries_per_s, 1) : "–"} | ${num(row?.server?.cpu_pct, 1)} |`,
      );
    }
  }
  if (rows.length === 0) return [];
  return [
    "## Latency by `polling.wake`",
    "",
    "Insert-to-client latency (ms, p50 / p99 over every delivery) of nomnom-live in each `polling.wake` setting: `none` is adaptive polling alone — the default configuration on a database offering neither triggers nor replication —, `notify` the wake trigger `nomnom-live migrate` installs, `wal` logical replication. The floor is PostgreSQL's own delivery of the same commits to a listener of that kind. Polls/s, DB queries/s and server CPU are those of the per-row run.",
    "",
    "| Scenario | wake | per-row p50 / p99 | batch p50 / p99 | floor p50 / p99 | polls/s | DB queries/s | server CPU % |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
    ...rows,
    "",
  ];
}

/** Median and max of the single rows timed after quiet spells. */
export function afterQuiet(r: IdleResult | undefined): { median: number; max: number; n: number } | null {
  const a = r?.after_quiet_ms ?? [];
  const m = median(a);
  return m === null ? null : { median: m, max: Math.max(...a), n: a.length };
}

export function idleSection(res: BenchResults): string[] {
  const idle = res.idle ?? [];
  if (idle.length === 0) return [];
  const n = afterQuiet(idle.find((r) => r.after_quiet_ms?.length))?.n;
  return [
    "## Idle queries, and the first row after a quiet spell",
    "",
    `A server with no writes, once its start had settled, for ${num(idle[0]!.duration_s, 1)} s: the queries it sent per second, counted at the proxy, against one poll per interval — what it sent before adaptive polling and doorbells. Then${n ? ` ${n}` : ""} single rows, each inserted after a quiet spell of 1.5 to 2.5 intervals (so at a random moment of the poller's interval), timed from COMMIT to a WebSocket client: what the first row of a burst waits. Without a doorbell it waits for the next poll, up to one interval; the rows after it are read every 15 ms while they keep coming.`,
    "",
    "| Setting | poll interval (ms) | queries/s | one poll per interval (/s) | first row after quiet: median / max (ms) |",
    "|---|--:|--:|--:|--:|",
    ...idle.map((r) => {
      const q = afterQuiet(r);
      return `| ${SHORT[r.target]}${r.status === "failed" ? ` **failed**: ${r.error}` : ""} | ${r.intervalMs} | ${num(r.queries_per_s, 1)} | ${num(r.interval_per_s, 1)} | ${q ? `${ms(q.median)} / ${ms(q.max)}` : "–"} |`;
    }),
    "",
  ];
}

function verdict(ok: boolean | null): string {
  return ok === null ? "not measured in this run" : ok ? "**met**" : "**not met**";
}

function p99Of(r: TargetResult | undefined): number | null {
  return r?.latency_ms?.p99 ?? (r ? Infinity : null);
}

/** The targets of issue 14, each with what this run measured. */
export function targetsSection(res: BenchResults): string[] {
  const at = (rate: number, clients: number) => res.scenarios.find((s) => s.workload.rate === rate && s.workload.clients === clients);
  const main = at(1000, 100) ?? (res.quick ? res.scenarios[0] : undefined);
  const wide = at(1000, 500);
  const big = at(5000, 1000);
  const lines: string[] = [];
  // A quick run's scenario is not the targets' one: its figures are shown, not judged.
  const item = (target: string, figures: string, ok: boolean | null) => lines.push(`| ${target} | ${figures || "–"} | ${res.quick ? "–" : verdict(ok)} |`);

  const bells = BY_WAKE.filter((b) => b.wake !== "none").map((b) => ({ b, r: get(main, b.row) }));
  const measured = bells.filter((x) => x.r);
  item(
    `With a doorbell: p50 ≤ 5 ms and p99 ≤ 25 ms (${main?.id ?? "1k-100c-500ms"}, per-row frames)`,
    measured.map((x) => `${x.b.wake}: ${p(x.r, "p50")} / ${p(x.r, "p99")} ms`).join("; "),
    measured.length ? measured.every((x) => (x.r!.latency_ms?.p50 ?? Infinity) <= 5 && (p99Of(x.r) ?? Infinity) <= 25) : null,
  );
  const none = get(main, "nomnom-row");
  const cold = afterQuiet((res.idle ?? []).find((r) => r.target === "nomnom-row" && r.status === "ok"));
  item(
    `Default configuration, no triggers and no replication: p99 ≤ 100 ms (${main?.id ?? "1k-100c-500ms"})`,
    none ? `p99 ${p(none, "p99")} ms${cold ? `; the first row after a quiet spell waits for the next poll (median ${ms(cold.median)}, max ${ms(cold.max)} ms at a ${num((res.idle ?? [])[0]?.intervalMs)} ms interval)` : ""}` : "",
    none ? (p99Of(none) ?? Infinity) <= 100 : null,
  );

  const idle = (res.idle ?? []).filter((r) => r.status === "ok");
  item(
    "Idle DB queries/s no higher than one poll per interval, as before",
    idle.map((r) => `${BY_WAKE.find((b) => b.row === r.target || b.batch === r.target)?.wake ?? r.target}: ${num(r.queries_per_s, 1)}/s of ${num(r.interval_per_s, 1)}/s`).join("; "),
    idle.length ? idle.every((r) => r.queries_per_s <= r.interval_per_s * 1.05) : null,
  );

  const cpu = [main, wide]
    .map((s) => ({ s, ours: cpuRuns(s, "nomnom-row"), ceiling: cpuRuns(s, "ws-cadence-row") }))
    .filter((x) => x.s && x.ours.length && x.ceiling.length)
    .map((x) => ({ clients: x.s!.workload.clients, ratio: ratioOf(median(x.ours), median(x.ceiling)), runs: x.ours.map((o, i) => (x.ceiling[i] ? ratioOf(o, x.ceiling[i]) : null)) }));
  item(
    "Per-row frames: server CPU per delivery ≤ 1.1× the cadence-matched ceiling, at 100 and at 500 clients",
    cpu.map((x) => `${num(x.clients)} clients: ${times(x.ratio)}${x.runs.length > 1 ? ` (median of ${x.runs.length} runs of each; run by run ${x.runs.map(times).join(", ")})` : ""}`).join("; "),
    cpu.length ? cpu.every((x) => x.ratio !== null && x.ratio <= 1.1) : null,
  );

  const bigOurs = (big?.results ?? []).filter((r) => r.target.startsWith("nomnom") && r.status !== "failed");
  const best = bigOurs.sort((a, b) => (p99Of(a) ?? Infinity) - (p99Of(b) ?? Infinity))[0];
  const held = res.search.flatMap((s) => s.best.filter((b) => b.rate !== null).map((b) => `${SHORT[s.target]}: ${num(b.rate)}/s × ${num(b.clients)} clients (p99 ${ms(b.p99)} ms)`));
  const bigOk = best ? (p99Of(best) ?? Infinity) <= 150 : null;
  // Not held: the target asks instead for the highest load that holds, and what saturates.
  const saturated = best && (best.machine_busy_pct ?? 0) >= 90 ? `the machine saturates (${num(best.machine_busy_pct)} % of both cores busy: server ${num(best.server?.cpu_pct, 1)} % of a core, clients processes ${num(best.clients_process?.cpu_pct, 1)} %, PostgreSQL and the writer the rest)` : "";
  const bigLine = "5,000 inserts/s × 1,000 clients, clients spread over processes: p99 ≤ 150 ms — or, if two cores cannot hold it, the highest load that holds, and what saturates";
  const bigFigures = [best ? `at 5,000/s × 1,000: best ${SHORT[best.target]}, p99 ${p(best, "p99")} ms` : "", saturated, held.length ? `highest held — ${held.join("; ")}` : ""].filter(Boolean).join("; ");
  if (bigOk === false && held.length && saturated && !res.quick) lines.push(`| ${bigLine} | ${bigFigures} | **not held on two cores; the highest load held and what saturates are reported** |`);
  else item(bigLine, bigFigures, bigOk);

  return [
    "## Targets",
    "",
    res.quick
      ? "What this quick run measured for each target of live on commit. A quick run's scenario is far smaller than the targets' (and the machine may be busy), so its figures are not judged: the full run decides."
      : "What this run measured against each target of live on commit (side by side in one run, PostgreSQL).",
    "",
    "| Target | Measured | |",
    "|---|---|---|",
    ...lines,
    "",
  ];
}

/** Server CPU per 1,000 deliveries of every run of `key` in the scenario (Scenario.repeat). */
function cpuRuns(s: ScenarioResult | undefined, key: TargetKey): number[] {
  const runs = [get(s, key), ...(s?.repeats ?? []).filter((r) => r.target === key && r.status !== "failed")];
  return runs.map((r) => (r ? cpuPerKDelivery(r) : null)).filter((x): x is number => x !== null);
}

function median(a: number[]): number | null {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function ratioOf(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b <= 0) return null;
  return Math.round((a / b) * 100) / 100;
}

/** The README's table of latency by setting, from the run's main scenario. */
export function readmeWakeTable(res: BenchResults): string[] {
  const main = res.scenarios.find((s) => s.workload.rate === 1000 && s.workload.clients === 100) ?? res.scenarios[0];
  if (!main) return [];
  const rows = BY_WAKE.map((b) => ({ b, row: get(main, b.row), batch: get(main, b.batch), floor: get(main, b.floor), quiet: afterQuiet((res.idle ?? []).find((r) => r.target === b.row && r.status === "ok")) })).filter((x) => x.row || x.batch);
  if (rows.length === 0) return [];
  const idleMs = (res.idle ?? [])[0]?.intervalMs;
  return [
    `Latency from commit to client by \`polling.wake\`, scenario \`${main.id}\` (${num(main.workload.rate)} inserts/s × ${num(main.workload.clients)} clients, poll interval ${main.workload.intervalMs} ms${res.quick ? "; a quick run" : ""}), while rows keep coming; and the first row after a quiet spell, which without a doorbell waits for the next poll${idleMs ? ` (interval ${idleMs} ms)` : ""}:`,
    "",
    "| `polling.wake` | per-row p50 / p99 (ms) | batch p50 / p99 (ms) | PostgreSQL's own floor p50 / p99 (ms) | first row after quiet, median / max (ms) |",
    "|---|--:|--:|--:|--:|",
    ...rows.map(
      (x) =>
        `| ${x.b.wake === "none" ? "none (adaptive polling)" : x.b.wake} | ${p(x.row, "p50")} / ${p(x.row, "p99")} | ${p(x.batch, "p50")} / ${p(x.batch, "p99")} | ${x.floor ? `${p(x.floor, "p50")} / ${p(x.floor, "p99")}` : "–"} | ${x.quiet ? `${ms(x.quiet.median)} / ${ms(x.quiet.max)}` : "–"} |`,
    ),
    "",
  ];
}
