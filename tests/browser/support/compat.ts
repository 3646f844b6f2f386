/**
 * The Grafana lines of the compatibility matrix: each tests/compat/grafana-<line>/ folder (that line's
 * @grafana/* packages with React 18, installed by .ci/run with `npm ci --ignore-scripts`) and the main
 * install's line. For each, the preview host and the harness are built against its packages
 * (preview/webpack.config.ts `--env grafana=<line>`) into tests/compat/dist/grafana-<line>/, again only
 * when a source is newer than the build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../helpers/process.ts";

export const COMPAT = join(ROOT, "tests", "compat");

export interface GrafanaLine {
  line: string;
  /** The @grafana/data version its folder pins (for the main install, package.json's). */
  version: string;
  /** Where its packages are installed. */
  nodeModules: string;
  /** Where its host and harness are built. */
  out: string;
}

function pinned(packageJson: string): string {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const v = pkg.dependencies?.["@grafana/data"] ?? pkg.devDependencies?.["@grafana/data"];
  if (!v || !/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`${packageJson} does not pin @grafana/data to one version (${v})`);
  return v;
}

const lineOf = (version: string) => version.split(".").slice(0, 2).join(".");
const byVersion = (a: GrafanaLine, b: GrafanaLine) => a.version.localeCompare(b.version, "en", { numeric: true });

/** Every line of the matrix, oldest first. */
export function grafanaLines(): GrafanaLine[] {
  const folders = readdirSync(COMPAT).filter((d) => /^grafana-\d+\.\d+$/.test(d) && existsSync(join(COMPAT, d, "package.json")));
  const lines = folders.map((d) => {
    const version = pinned(join(COMPAT, d, "package.json"));
    if (`grafana-${lineOf(version)}` !== d) throw new Error(`tests/compat/${d} pins @grafana/data ${version}, of another line`);
    return { line: lineOf(version), version, nodeModules: join(COMPAT, d, "node_modules"), out: join(COMPAT, "dist", d) };
  });
  const main = pinned(join(ROOT, "package.json"));
  if (!lines.some((l) => l.line === lineOf(main))) lines.push({ line: lineOf(main), version: main, nodeModules: join(ROOT, "node_modules"), out: join(COMPAT, "dist", `grafana-${lineOf(main)}`) });
  return lines.sort(byVersion);
}

/** Why a line cannot be tested here, or null: its packages must be installed, at the version pinned. */
export function missing(l: GrafanaLine): string | null {
  const installed = join(l.nodeModules, "@grafana", "data", "package.json");
  if (!existsSync(installed)) return `Grafana ${l.line}'s packages are not installed (npm ci --ignore-scripts in tests/compat/grafana-${l.line})`;
  const version = (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version;
  return version === l.version ? null : `tests/compat/grafana-${l.line} has @grafana/data ${version} installed, not the ${l.version} it pins (npm ci there)`;
}

const SOURCES = ["preview/src", "preview/webpack.config.ts", ".config/webpack", "contract", "tests/browser/support/grafana-harness.tsx"];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path, { recursive: true }).map((f) => statSync(join(path, String(f))).mtimeMs));
}

export interface CompatBuild {
  /** Each entry's files (`preview`, `harness`), as the build's manifest lists them. */
  entries: Record<string, string[]>;
  dir: string;
}

/** The line's host and harness, built now if any source (or its installed packages) is newer than the build. */
export function ensureCompatBuilt(l: GrafanaLine): CompatBuild {
  const manifest = join(l.out, "manifest.json");
  const inputs = [...SOURCES.map((s) => join(ROOT, s)), join(l.nodeModules, ".package-lock.json")];
  if (!existsSync(manifest) || Math.max(...inputs.map(newest)) > statSync(manifest).mtimeMs) {
    process.stderr.write(`building the preview host and harness against Grafana ${l.version}'s packages…\n`);
    const r = spawnSync(process.execPath, ["--import", "tsx", "node_modules/webpack/bin/webpack.js", "-c", "./preview/webpack.config.ts", "--env", `grafana=${l.line}`, "--stats", "errors-warnings"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`the build against Grafana ${l.version} failed (exit ${r.status})`);
  }
  return { entries: (JSON.parse(readFileSync(manifest, "utf8")) as { entries: Record<string, string[]> }).entries, dir: l.out };
}
