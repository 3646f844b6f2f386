/**
 * `npm run package`: the Grafana plugin as a catalog zip.
 *
 *   npm run package [-- --no-build] [--root-urls https://grafana.example.com/,…] [--out build]
 *
 * Builds the plugin (webpack, production), stages dist/ as `build/nomnom-live-app/`, signs it when
 * GRAFANA_ACCESS_POLICY_TOKEN is set (a private signature for the root URLs of --root-urls or
 * GRAFANA_ROOT_URLS, if any), zips it to `build/nomnom-live-app-<version>.zip` with its `.sha1` and `.md5`,
 * and runs the plugin-validator's offline rules on the zip: an error fails the command.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkPluginZip, formatDiagnostics } from "./catalog/index.ts";
import { writePluginArchive, type PluginArchive } from "./plugin-archive.ts";
import { signPlugin } from "./sign-plugin.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface PackageOptions {
  build: boolean;
  outDir: string;
  rootUrls: string[];
  /** GRAFANA_ACCESS_POLICY_TOKEN is set: sign. */
  sign: boolean;
  log(line: string): void;
}

function buildPlugin(): void {
  const webpack = join(ROOT, "node_modules", "webpack", "bin", "webpack.js");
  const args = ["--import", "tsx", webpack, "-c", "./webpack.config.ts", "--env", "production", "--config-name", "plugin", "--stats", "errors-warnings"];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`the plugin build failed (exit ${r.status})`);
}

export function packagePlugin(options: PackageOptions): PluginArchive {
  if (options.build) buildPlugin();
  const archive = writePluginArchive({
    distDir: join(ROOT, "dist"),
    outDir: options.outDir,
    sign: options.sign ? (folder) => signPlugin(folder, { rootUrls: options.rootUrls }) : undefined,
  });
  const packageVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const diagnostics = checkPluginZip(archive.zip, { packageVersion, sourceDir: ROOT });
  if (diagnostics.length > 0) options.log(`plugin-validator rules (offline):\n${formatDiagnostics(diagnostics)}`);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) throw new Error(`${relative(process.cwd(), archive.zip)} breaks ${errors} catalog rule(s) (above)`);
  return archive;
}

function main(): void {
  const { values } = parseArgs({ options: { "no-build": { type: "boolean" }, "root-urls": { type: "string" }, out: { type: "string" } } });
  const rootUrls = (values["root-urls"] ?? process.env.GRAFANA_ROOT_URLS ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  const sign = Boolean(process.env.GRAFANA_ACCESS_POLICY_TOKEN);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const archive = packagePlugin({ build: !values["no-build"], outDir: values.out ?? join(ROOT, "build"), rootUrls, sign, log });
  const zip = relative(process.cwd(), archive.zip);
  log(`\n${zip}  ${(archive.bytes / 1024).toFixed(0)} KiB  (top folder ${archive.pluginId}/, version ${archive.version})`);
  log(`  sha1 ${archive.sha1}  (${zip}.sha1)\n  md5  ${archive.md5}  (${zip}.md5)`);
  if (archive.signed) log(`  signed${rootUrls.length > 0 ? ` (private, for ${rootUrls.join(", ")})` : ""}`);
  else {
    log("  UNSIGNED: GRAFANA_ACCESS_POLICY_TOKEN is not set. Grafana loads it only where allow_loading_unsigned_plugins");
    log(`  lists ${archive.pluginId} and its nested plugins; set the token (and GRAFANA_ROOT_URLS for a private signature) to sign.`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`npm run package: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
