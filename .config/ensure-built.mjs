/**
 * Builds the plugin and the preview page unless both are there and newer than their sources: the tests
 * that load them (jest's manifest test, the browser tests) call this, so `npm test` works even where
 * `npm install` did not build, and never tests a stale build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const needed = ["dist/module.js", "dist/datasource/module.js", "dist/panel/module.js", "preview/dist/manifest.json"];

const sources = ["src", "preview/src", "contract", "plugin.json", "LICENSE", "webpack.config.ts", "preview/webpack.config.ts", ".config/webpack"];

/** The newest modification time among the files under `entry` (a file or a folder). */
function newest(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full, { recursive: true }).map((f) => statSync(path.join(full, String(f))).mtimeMs));
}

function upToDate() {
  if (!needed.every((f) => existsSync(path.join(root, f)))) return false;
  // webpack rewrites only the outputs that change, so the build's time is that of its newest output.
  const built = Math.max(...needed.map((f) => statSync(path.join(root, f)).mtimeMs));
  return Math.max(...sources.map(newest)) <= built;
}

const LOCK = path.join(root, "node_modules", ".cache", "nomnom-live-build.lock");
const LOCK_STALE_MS = 10 * 60_000;

function lockAge() {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * One build at a time across processes: node:test runs test files in parallel, and two webpack runs
 * cleaning dist/ under each other (or under a test reading it) break both. The others wait, then
 * usually find the build done.
 */
function withBuildLock(build) {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      // Older than any build: left by a process that was killed while building.
      if (lockAge() > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    build();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function ensureBuilt() {
  if (upToDate()) return;
  withBuildLock(() => {
    if (upToDate()) return;
    process.stderr.write("building the plugin and the preview page (npm run build)…\n");
    const r = spawnSync(process.execPath, ["--import", "tsx", "node_modules/webpack/bin/webpack.js", "-c", "./webpack.config.ts", "--env", "production", "--stats", "errors-warnings"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureBuilt();
