/**
 * The plugin's catalog zip from a built dist/: dist/ copied to `<out>/<plugin id>/` (the one top folder
 * the catalog and `grafana cli --pluginUrl` expect), optionally signed there, zipped with the system's
 * `zip` into `<out>/<plugin id>-<version>.zip`, and its SHA-1 and MD5 written beside it
 * (`<sum>  <file>`, as `sha1sum`/`md5sum` print them and the catalog's submission form takes them).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export interface PluginArchive {
  zip: string;
  /** The folder that was zipped: `<out>/<plugin id>/`. */
  folder: string;
  pluginId: string;
  version: string;
  sha1: string;
  md5: string;
  bytes: number;
  signed: boolean;
}

export interface ArchiveOptions {
  /** The built plugin (dist/). */
  distDir: string;
  /** Where the folder, the zip and its checksums go (build/). */
  outDir: string;
  /** Signs the staged folder before it is zipped (writes its MANIFEST.txt); absent = unsigned. */
  sign?: (folder: string) => void;
}

function zipFolder(parent: string, folder: string, zip: string): void {
  // -X: no extra file attributes (uid/gid), -r: recursive; run in `parent` so entries start with `folder/`.
  const r = spawnSync("zip", ["-q", "-r", "-X", zip, folder], { cwd: parent, encoding: "utf8" });
  if (r.error) throw new Error(`zip is needed to write the plugin archive (apt-get install zip): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`zip failed (exit ${r.status}): ${r.stderr}`);
}

export function writePluginArchive(options: ArchiveOptions): PluginArchive {
  const manifest = JSON.parse(readFileSync(join(options.distDir, "plugin.json"), "utf8")) as { id: string; info: { version: string } };
  const pluginId = manifest.id;
  const version = manifest.info.version;
  const folder = join(options.outDir, pluginId);
  const zip = join(options.outDir, `${pluginId}-${version}.zip`);
  rmSync(folder, { recursive: true, force: true });
  for (const old of [zip, `${zip}.sha1`, `${zip}.md5`]) rmSync(old, { force: true });
  mkdirSync(options.outDir, { recursive: true });
  cpSync(options.distDir, folder, { recursive: true });
  // A signature left in dist/ by an earlier signing does not match a new build: only a fresh one counts.
  rmSync(join(folder, "MANIFEST.txt"), { force: true });
  options.sign?.(folder);
  const signed = existsSync(join(folder, "MANIFEST.txt"));
  zipFolder(options.outDir, pluginId, `${pluginId}-${version}.zip`);
  const bytes = readFileSync(zip);
  const sha1 = createHash("sha1").update(bytes).digest("hex");
  const md5 = createHash("md5").update(bytes).digest("hex");
  writeFileSync(`${zip}.sha1`, `${sha1}  ${basename(zip)}\n`);
  writeFileSync(`${zip}.md5`, `${md5}  ${basename(zip)}\n`);
  return { zip, folder, pluginId, version, sha1, md5, bytes: statSync(zip).size, signed };
}
