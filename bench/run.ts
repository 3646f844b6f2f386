/**
 * `npm run bench` — the benchmark. On a private PostgreSQL it starts for the run (initdb + pg_ctl on a
 * free port, `wal_level = logical`, so that every `polling.wake` setting and both floors run side by
 * side on one server) and stops at the end; or on the PostgreSQL of NOMNOM_BENCH_DATABASE_URL (then a
 * private one only for the logical-replication targets, unless that one has `wal_level = logical`).
 * Each run in a schema of its own, dropped afterwards.
 *
 *   npm run bench                         full plan (~30 min); writes bench/results/<date>.json, latest.json,
 *                                         docs/benchmarks.md and the README's benchmarks block
 *   npm run bench -- --quick              every target and figure on small numbers (< 2 min); writes
 *                                         bench/results/<date>-quick.json and latest-quick.json only
 *   npm run bench -- --only ID[,ID]       only these scenarios (ids from bench/plan.ts), no search, soak or scale-out
 *                                         unless named ("search", "soak", "scale-out")
 *   npm run bench -- --targets KEY[,KEY]  only these targets (keys from bench/plan.ts) in the scenarios run
 *   npm run bench -- --note "text"        a note to carry into the results (e.g. what else ran on the machine)
 *   npm run bench -- --docs               also render the docs from a --quick or --only run
 *   npm run bench -- --render FILE        only re-render docs/benchmarks.md and the README block from FILE
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { runBench } from "./harness/bench.ts";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./harness/private-postgres.ts";
import type { BenchResults, TargetKey } from "./harness/results.ts";
import { ROOT } from "./harness/spawn.ts";
import { fullPlan, quickPlan, type Plan } from "./plan.ts";
import { renderDoc, renderReadmeSection, replaceReadmeSection } from "./render.ts";

/** Without a private server (no PostgreSQL binaries here): the machine's own. */
const FALLBACK_DB_URL = "postgres://postgres@127.0.0.1:5432/test";

/** Writes docs/benchmarks.md and the README block from a results file (path relative to the repository). */
function renderAll(res: BenchResults, jsonPath: string): void {
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  writeFileSync(join(ROOT, "docs/benchmarks.md"), renderDoc(res, jsonPath));
  const readmePath = join(ROOT, "README.md");
  writeFileSync(readmePath, replaceReadmeSection(readFileSync(readmePath, "utf8"), renderReadmeSection(res, jsonPath)));
}

function select(plan: Plan, only: string[]): Plan {
  return {
    ...plan,
    scenarios: plan.scenarios.filter((s) => only.includes(s.id)),
    search: only.includes("search") ? plan.search : [],
    soak: only.includes("soak") ? plan.soak : null,
    scaleOut: only.includes("scale-out") ? plan.scaleOut : null,
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: "boolean" }, only: { type: "string" }, targets: { type: "string" }, note: { type: "string", multiple: true }, docs: { type: "boolean" }, render: { type: "string" } },
    strict: true,
  });
  if (values.render) {
    const file = values.render;
    const res = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
    renderAll(res, relative(ROOT, join(process.cwd(), file)));
    process.stderr.write(`rendered docs/benchmarks.md and README.md from ${file}\n`);
    return 0;
  }
  let plan = values.quick ? quickPlan() : fullPlan();
  if (values.only) {
    const only = values.only.split(",");
    const known = [...plan.scenarios.map((s) => s.id), "search", "soak", "scale-out"];
    const unknown = only.filter((x) => !known.includes(x));
    if (unknown.length) {
      process.stderr.write(`unknown --only ${unknown.join(",")}; known: ${known.join(", ")}\n`);
      return 2;
    }
    plan = select(plan, only);
  }
  if (values.targets) {
    const keep = values.targets.split(",");
    const known = new Set(plan.scenarios.flatMap((s) => s.targets));
    const unknown = keep.filter((k) => !known.has(k as TargetKey));
    if (unknown.length) {
      process.stderr.write(`unknown --targets ${unknown.join(",")}; known in these scenarios: ${[...known].join(", ")}\n`);
      return 2;
    }
    plan = { ...plan, scenarios: plan.scenarios.map((s) => ({ ...s, targets: s.targets.filter((t) => keep.includes(t)) })).filter((s) => s.targets.length > 0) };
  }
  const command = `npm run bench${argv.length ? ` -- ${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}` : ""}`;
  const notes = values.note ?? [];
  let server: PrivatePostgres | null = null;
  let dbUrl = process.env.NOMNOM_BENCH_DATABASE_URL;
  if (!dbUrl) {
    const why = privatePostgresUnavailable();
    if (why === null) {
      process.stderr.write("starting a private PostgreSQL (wal_level = logical) for the run\n");
      server = await startPrivatePostgres();
      dbUrl = server.url;
    } else {
      notes.push(`No private PostgreSQL could be started (${why}): the runs used ${FALLBACK_DB_URL}.`);
      dbUrl = FALLBACK_DB_URL;
    }
  }
  let res;
  try {
    res = await runBench(plan, { dbUrl, dbSource: server ? "private" : "given", command, quick: !!values.quick, notes, cleanup: async () => server?.stop() });
  } finally {
    await server?.stop();
  }
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const suffix = values.quick ? "-quick" : values.only || values.targets ? "-partial" : "";
  const name = `${res.date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}${suffix}.json`;
  const text = `${JSON.stringify(res, null, 1)}\n`;
  writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, `latest${suffix}.json`), text);
  process.stderr.write(`\nresults: bench/results/${name} (and latest${suffix}.json), ${res.elapsed_s} s\n`);
  if (!suffix || values.docs) {
    renderAll(res, `bench/results/${name}`);
    process.stderr.write("rendered docs/benchmarks.md and the README's benchmarks block\n");
  }
  const failed = [...res.scenarios.flatMap((s) => s.results), ...res.search.flatMap((s) => s.steps.map((x) => x.result)), ...(res.soak ? [res.soak.result] : [])].filter((r) => r.status === "failed");
  if (failed.length) process.stderr.write(`${failed.length} run(s) failed: ${failed.map((r) => `${r.target}: ${r.error}`).join("; ")}\n`);
  return failed.length ? 1 : 0;
}

process.exit(await main());
