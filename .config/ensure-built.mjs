/**
 * Builds the plugin and the preview page unless both are there: the tests that load them (jest's
 * manifest test, the browser tests) call this, so `npm test` works even where `npm install` did not build.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const needed = ["dist/module.js", "dist/datasource/module.js", "dist/panel/module.js", "preview/dist/preview.js"];

export function ensureBuilt() {
  if (needed.every((f) => existsSync(path.join(root, f)))) return;
  process.stderr.write("building the plugin and the preview page (npm run build)…\n");
  const r = spawnSync(process.execPath, ["--import", "tsx", "node_modules/webpack/bin/webpack.js", "-c", "./webpack.config.ts", "--env", "production", "--stats", "errors-warnings"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureBuilt();
