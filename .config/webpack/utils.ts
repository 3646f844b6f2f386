/** Helpers of the plugin build: manifests, entries (one per plugin.json with a sibling module). */
import fs from "node:fs";
import path from "node:path";
import { DIST_DIR, ROOT_PLUGIN_JSON, SOURCE_DIR } from "./constants.ts";

export interface PluginJson {
  id: string;
  type: string;
  name: string;
  info: { version: string; updated: string; [key: string]: unknown };
  [key: string]: unknown;
}

const root = process.cwd();

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function getPackageJson(): { version: string; [key: string]: unknown } {
  return readJson(path.join(root, "package.json"));
}

export function getPluginJson(): PluginJson {
  return readJson(path.join(root, ROOT_PLUGIN_JSON));
}

/** Every plugin.json under src/, relative to src/ (e.g. `datasource/plugin.json`). */
export function nestedPluginJsons(): string[] {
  const dir = path.join(root, SOURCE_DIR);
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => f.endsWith("/plugin.json") || f === "plugin.json")
    .sort();
}

function moduleIn(dir: string): string | null {
  for (const ext of ["ts", "tsx", "js", "jsx"]) {
    const file = path.join(dir, `module.${ext}`);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/**
 * Entries as Grafana loads them: `module` for the app (root plugin.json, src/module.ts), and
 * `<folder>/module` for each nested plugin (src/<folder>/plugin.json beside src/<folder>/module.ts).
 */
export function getEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const appModule = moduleIn(path.join(root, SOURCE_DIR));
  if (!appModule) throw new Error(`${SOURCE_DIR}/module.ts is missing: the app plugin has no entry`);
  entries.module = appModule;
  for (const json of nestedPluginJsons()) {
    const folder = path.dirname(json);
    if (folder === ".") continue;
    const mod = moduleIn(path.join(root, SOURCE_DIR, folder));
    if (!mod) throw new Error(`${SOURCE_DIR}/${json} has no module.ts beside it`);
    entries[`${folder}/module`] = mod;
  }
  return entries;
}

/** `%VERSION%` and `%TODAY%` in manifests and the README, as create-plugin replaces them. */
export function fillPlaceholders(text: string): string {
  return text.replace(/%VERSION%/g, getPackageJson().version).replace(/%TODAY%/g, new Date().toISOString().slice(0, 10));
}

export const distPath = path.join(root, DIST_DIR);
