/**
 * The backend without a clone: `npm pack` makes a tarball of the compiled backend (lib/, from
 * `npm run build:backend`), its launcher and the examples — no TypeScript — which installs from the
 * registry into an empty folder, brings no TypeScript loader, and runs: `npx nomnom-live --help`, and
 * `serve` and `demo` on the embedded PGlite answering /api/health.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { HealthResponse } from "../../contract/rest.ts";
import { ROOT, spawnBackend } from "../helpers/process.ts";

let dir: string;
let app: string;
let files: string[];

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, `${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The installed CLI, started the way a user starts it, from the folder it was installed into. */
function npxNomnomLive(...args: string[]) {
  return spawnBackend("sh", ["-c", `cd '${app}' && exec npx nomnom-live ${args.join(" ")}`], { PORT: "0", DATABASE_URL: "" });
}

async function health(url: string): Promise<HealthResponse> {
  const res = await fetch(`${url}/api/health`);
  assert.equal(res.status, 200);
  return (await res.json()) as HealthResponse;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "nomnom-npm-package-"));
  run("npm", ["run", "--silent", "build:backend"], ROOT);
  const [packed] = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = packed!.files.map((f) => f.path);
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "uses-nomnom-live", private: true }));
  run("npm", ["install", join(dir, packed!.filename), "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], app);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the npm package", () => {
  it("holds the compiled backend, its launcher and the examples, and no TypeScript source", () => {
    for (const f of ["bin/nomnom-live.js", "lib/backend/runtime/node-main.js", "lib/backend/cli.js", "lib/contract/index.js", "examples/tpch/nomnom-live.yaml", "LICENSE", "README.md"]) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    assert.deepEqual(files.filter((f) => /\.tsx?$/.test(f)), [], "no TypeScript in the package");
    assert.deepEqual(files.filter((f) => /^(backend|src|tests|preview|bench)\//.test(f)), [], "no sources, tests or build inputs");
  });

  it("installs into an empty folder with its runtime dependencies only — no TypeScript loader", () => {
    const installed = JSON.parse(readFileSync(join(app, "node_modules/nomnom-live/package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.ok(!("tsx" in installed.dependencies), "tsx is not a runtime dependency");
    assert.ok(!existsSync(join(app, "node_modules/tsx")), "tsx is not installed");
    assert.ok(!existsSync(join(app, "node_modules/typescript")), "typescript is not installed");
  });

  it("runs `npx nomnom-live --help`", () => {
    const help = run("npx", ["nomnom-live", "--help"], app);
    assert.match(help, /nomnom-live/);
    for (const command of ["serve", "demo", "generate"]) assert.match(help, new RegExp(`\\b${command}\\b`));
  });

  it("serves /api/health on the embedded PGlite (`npx nomnom-live serve`)", async () => {
    const backend = await npxNomnomLive("serve");
    try {
      const h = await health(backend.url);
      assert.equal(h.status, "ok");
      assert.equal(h.database.dialect, "pglite");
    } finally {
      await backend.stop();
    }
  });

  it("runs the demo from the packaged example configuration (`npx nomnom-live demo`)", async () => {
    const backend = await npxNomnomLive("demo");
    try {
      const h = await health(backend.url);
      assert.equal(h.status, "ok");
      assert.deepEqual(Object.keys(h.entities).sort(), ["Order", "OrderLineItem"]);
    } finally {
      await backend.stop();
    }
  });
});
