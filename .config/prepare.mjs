/**
 * `npm install` (prepare): builds the plugin into dist/ and the preview page, so `npm start` and
 * `npm test` work on a fresh clone. Skipped, with a note, when the dev dependencies are not installed
 * (`npm install --omit=dev`): then `npm start` serves the API and a page saying the plugin is not built.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("node_modules/webpack/bin/webpack.js") || !existsSync("node_modules/swc-loader")) {
  console.warn("nomnom-live: dev dependencies missing, so the plugin is not built (run `npm install` with dev dependencies, then `npm run build`).");
  process.exit(0);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "node_modules/webpack/bin/webpack.js", "-c", "./webpack.config.ts", "--env", "production", "--stats", "errors-warnings"], { stdio: "inherit" });
process.exit(result.status ?? 1);
