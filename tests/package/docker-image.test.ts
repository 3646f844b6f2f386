/**
 * The Docker image without a Docker engine: the Dockerfile's last stage replayed into a temporary folder
 * standing for the image's /app — its `RUN npm ci --omit=dev`, its COPYs (from the context, and from the
 * build stage, whose outputs are this checkout's `npm run build` and `npm run build:backend`) — then its
 * ENTRYPOINT run with `demo`: the API answers, and `/` is the live preview, with the plugin's modules and
 * the icons behind it, not the page saying the plugin is not built.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import type { HealthResponse } from "../../contract/rest.ts";
import { copyOf, dockerStages } from "../generator/dockerfile.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";

let app: string;
/** The build stage's lib/, compiled here apart from the checkout's (the npm package test writes that one). */
let lib: string;
let backend: BackendProcess;

function run(command: string, args: string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, `${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Replays the image stage's RUN and COPY instructions into `app`; returns its ENTRYPOINT and ENV. */
function assembleImage(): { entrypoint: string[]; env: Record<string, string> } {
  const image = dockerStages(readFileSync(join(ROOT, "Dockerfile"), "utf8")).at(-1)!;
  let entrypoint: string[] = [];
  const env: Record<string, string> = {};
  for (const { keyword, args } of image.instructions) {
    if (keyword === "COPY") {
      // The build stage's outputs: this checkout's `npm run build`, and `npm run build:backend` into `lib`.
      const { sources, dest } = copyOf(args);
      for (const src of sources) {
        const from = src === "/app/lib" ? lib : join(ROOT, src.replace(/^\/app\//, ""));
        const to = join(app, dest);
        if (sources.length > 1 || dest.endsWith("/")) cpSync(from, join(to, src.split("/").pop()!), { recursive: true });
        else cpSync(from, to, { recursive: true });
      }
    } else if (keyword === "RUN") {
      for (const command of args.split("&&").map((c) => c.trim())) {
        if (command.startsWith("npm cache clean")) continue; // the machine's npm cache is shared: leave it
        const [tool, ...rest] = command.split(/\s+/);
        run(tool!, tool === "npm" && rest[0] === "ci" ? [...rest, "--prefer-offline"] : rest, app);
      }
    } else if (keyword === "ENTRYPOINT") entrypoint = JSON.parse(args) as string[];
    else if (keyword === "ENV") for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  }
  return { entrypoint, env };
}

before(async () => {
  ensureBuilt();
  app = mkdtempSync(join(tmpdir(), "nomnom-image-"));
  lib = join(`${app}-build`, "lib");
  run("npm", ["run", "--silent", "build:backend", "--", "--outDir", lib], ROOT);
  const { entrypoint, env } = assembleImage();
  assert.deepEqual(entrypoint.slice(0, 2), ["node", "bin/nomnom-live.js"]);
  backend = await spawnBackend(process.execPath, [join(app, entrypoint[1]!), "demo"], { ...env, PORT: "0", DATABASE_URL: "" });
});
after(async () => {
  await backend?.stop();
  for (const dir of [app, `${app}-build`]) rmSync(dir, { recursive: true, force: true });
});

describe("the Docker image's stage, assembled as the Dockerfile says", () => {
  it("holds the compiled backend and no TypeScript loader", () => {
    assert.ok(existsSync(join(app, "lib/backend/runtime/node-main.js")));
    assert.ok(!existsSync(join(app, "backend")), "no TypeScript sources");
    assert.ok(!existsSync(join(app, "node_modules/tsx")), "no tsx");
  });

  it("runs `demo` on the embedded PGlite and answers /api/health", async () => {
    const res = await fetch(`${backend.url}/api/health`);
    assert.equal(res.status, 200);
    const health = (await res.json()) as HealthResponse;
    assert.equal(health.status, "ok");
    assert.deepEqual(Object.keys(health.entities).sort(), ["Order", "OrderLineItem"]);
  });

  it("serves the live preview at /, with the plugin's modules and the icons it loads", async () => {
    const page = await fetch(`${backend.url}/`);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(html, /<script src="\/preview\/[^"]+\.js"><\/script>/);
    assert.doesNotMatch(html, /not built/);
    for (const script of html.matchAll(/<script src="([^"]+)"/g)) assert.equal((await fetch(`${backend.url}${script[1]}`)).status, 200, script[1]);
    for (const file of ["module.js", "datasource/module.js", "panel/module.js", "plugin.json"]) {
      assert.equal((await fetch(`${backend.url}/public/plugins/nomnom-live-app/${file}`)).status, 200, file);
    }
    assert.equal((await fetch(`${backend.url}/public/build/img/icons/unicons/pause.svg`)).status, 200, "an icon the panel shows");
  });
});
