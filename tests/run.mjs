#!/usr/bin/env node
/**
 * `npm test`: every suite of the project, then a summary of what was skipped and why.
 *
 *   node tests/run.mjs [--only backend,browser,...] [files…]
 *
 * First the static checks (`npm run typecheck`, `npm run lint`); then the
 * node:test suites in tests/<area>/**\/*.test.ts (backend, faults, wake, cluster, fuzz, cli, generator, package, deno, bench, browser);
 * jest (jsdom) runs the plugin's tests in tests/plugin. Outside CI a suite whose database server is
 * missing is skipped and listed at the end; with CI=true it fails instead.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const NODE_AREAS = ["architecture", "backend", "faults", "wake", "cluster", "fuzz", "cli", "generator", "package", "deno", "bench", "browser"];

const { values, positionals } = parseArgs({ options: { only: { type: "string" } }, allowPositionals: true });
const only = values.only ? new Set(values.only.split(",")) : null;

function testFiles(area) {
  const dir = join(root, "tests", area);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => relative(root, join(dir, f)));
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const areas = NODE_AREAS.filter((a) => !only || only.has(a));
const files = positionals.length > 0 ? positionals : areas.flatMap(testFiles);
const out = mkdtempSync(join(tmpdir(), "nomnom-tests-"));
const tap = join(out, "node.tap");
let failed = 0;

if (positionals.length === 0 && (!only || only.has("static"))) {
  for (const script of ["typecheck", "lint"]) {
    process.stdout.write(`\n▶ npm run ${script}\n`);
    if ((await run("npm", ["run", "--silent", script])) !== 0) failed++;
  }
}

if (files.length > 0) {
  process.stdout.write(`\n▶ node:test — ${files.length} files\n`);
  const code = await run(process.execPath, [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  if (code !== 0) failed++;
}

const jestConfig = join(root, "jest.config.cjs");
if (positionals.length === 0 && (!only || only.has("plugin")) && existsSync(jestConfig)) {
  process.stdout.write("\n▶ jest — tests/plugin\n");
  const code = await run(process.execPath, [join(root, "node_modules/jest/bin/jest.js"), "--config", jestConfig, "--ci"]);
  if (code !== 0) failed++;
}

// Skipped suites, from the TAP stream: `ok N - name # SKIP reason`.
const skipped = existsSync(tap)
  ? readFileSync(tap, "utf8")
      .split("\n")
      .map((l) => /^\s*ok \d+ - (.*) # SKIP ?(.*)$/.exec(l))
      .filter(Boolean)
      .map((m) => `  - ${m[1]}${m[2] ? `: ${m[2]}` : ""}`)
  : [];
if (skipped.length > 0) {
  process.stdout.write(`\n${skipped.length} suite(s) skipped here (they run, and must pass, with CI=true):\n${skipped.join("\n")}\n`);
}
process.stdout.write(failed ? `\n✖ ${failed} test phase(s) failed\n` : "\n✔ all test phases passed\n");
process.exit(failed ? 1 : 0);
