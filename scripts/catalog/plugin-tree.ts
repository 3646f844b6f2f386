/**
 * A plugin archive as the plugin-validator sees it: the zip unpacked into a temporary folder (by the
 * system's `unzip`), the folder Grafana would load (the zip's single top folder), its files, and its
 * plugin.json files parsed — the root one and every nested one (`datasource/plugin.json`, …).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";

export interface Manifest {
  id?: string;
  name?: string;
  type?: string;
  info?: {
    description?: string;
    keywords?: string[];
    logos?: { small?: string; large?: string };
    screenshots?: Array<{ name?: string; path?: string }>;
    links?: Array<{ name?: string; url?: string }>;
    version?: string;
    author?: { url?: string };
  };
  includes?: Array<{ type?: string; name?: string; path?: string }>;
  dependencies?: { grafanaDependency?: string };
}

export interface PluginTree {
  /** The folder Grafana loads: the zip's top folder (its dist/, if it wrongly holds one). */
  dir: string;
  /** Every file under `dir`, relative to it, with `/` separators, sorted. */
  files: string[];
  /** `plugin.json` (the root) and each nested one, by path relative to `dir`, parsed. */
  manifests: Map<string, Manifest>;
}

export interface Unpacked {
  dir: string;
  remove(): void;
}

/** Unzips `zip` into a new temporary folder. */
export function unpackZip(zip: string): Unpacked {
  const dir = mkdtempSync(join(tmpdir(), "nomnom-plugin-zip-"));
  const r = spawnSync("unzip", ["-q", "-o", zip, "-d", dir], { encoding: "utf8" });
  // unzip: 0 = fine, 1 = fine with warnings.
  if (r.error || (r.status !== 0 && r.status !== 1)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`unzip ${zip} failed: ${r.error?.message ?? r.stderr}`);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join("/"))
    .sort();
}

/** Reads a manifest; undefined when it does not parse as a JSON object. */
export function readManifest(file: string): Manifest | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Manifest | null;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function readTextIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}
