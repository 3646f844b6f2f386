/**
 * The plugin-validator's structure passes: archive (one top folder, no dist/ inside), archivename (the
 * folder is named after the plugin id), metadata and nestedmetadata (every plugin.json is there and
 * parses), metadatavalid (the root plugin.json has only fields Grafana knows, each of the right form,
 * as plugin-manifest.ts describes them) and includesnested (an app declares each nested plugin in
 * `includes`, with its `path` and matching type). Returns the tree the other passes read, or null when
 * there is none.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { manifestProblems } from "./plugin-manifest.ts";
import { listFiles, readManifest, type Manifest, type PluginTree } from "./plugin-tree.ts";
import type { Report } from "./report.ts";

const PACKAGING_DOCS = "see https://grafana.com/developers/plugin-tools/publish-a-plugin/package-a-plugin";

/** Why the unpacked archive has no single top folder, if it has none. */
function archiveProblem(unpacked: string, entries: string[]): [rule: string, title: string] | null {
  if (entries.length === 0) return ["empty-archive", "Archive is empty"];
  if (entries.length !== 1) return ["more-than-one-dir", `Archive contains more than one directory (${entries.join(", ")}); ${PACKAGING_DOCS}`];
  if (!statSync(join(unpacked, entries[0]!)).isDirectory()) return ["no-root-dir", "archive does not contain a root directory"];
  return null;
}

function archive(unpacked: string, report: Report): string | null {
  const entries = readdirSync(unpacked);
  const problem = archiveProblem(unpacked, entries);
  if (problem) {
    report.add("archive", problem[0], "error", problem[1]);
    return null;
  }
  const root = join(unpacked, entries[0]!);
  if (!existsSync(join(root, "dist"))) return root;
  report.add("archive", "dist", "error", `dist should be renamed to plugin id and moved to root; ${PACKAGING_DOCS}`);
  return join(root, "dist");
}

function nestedManifests(dir: string, files: string[], report: Report): Map<string, Manifest> {
  const manifests = new Map<string, Manifest>();
  const paths = files.filter((f) => f === "plugin.json" || f.endsWith("/plugin.json"));
  if (!paths.includes("plugin.json")) report.add("metadata", "missing-metadata", "error", "missing plugin.json");
  for (const path of paths) {
    const manifest = readManifest(join(dir, path));
    if (!manifest) {
      report.add("nestedmetadata", "invalid-metadata", "error", `Invalid plugin.json in your archive: ${path}`);
      continue;
    }
    manifests.set(path, manifest);
  }
  return manifests;
}

function includesNested(manifests: Map<string, Manifest>, report: Report): void {
  const main = manifests.get("plugin.json");
  if (!main || manifests.size === 1) return;
  if (main.type !== "app") {
    report.add("includesnested", "nested-plugin-id-in-non-app", "error", `Nested plugins are not allowed on plugins type ${main.type}`);
    return;
  }
  for (const [path, nested] of manifests) {
    if (path === "plugin.json") continue;
    const include = (main.includes ?? []).find((i) => i.path === path);
    if (!include) report.add("includesnested", "nested-plugins-not-declared", "error", `Nested plugin ${path} is not declared parent plugin.json`);
    else if (!include.type) report.add("includesnested", "nested-plugin-missing-type", "error", `Nested plugin ${path} is missing type`);
    else if (include.type !== nested.type) report.add("includesnested", "nested-plugin-type-missmatch", "error", `Plugin ${path} declared as ${include.type} but as ${nested.type} in parent plugin.json`);
  }
}

export function structureRules(unpacked: string, report: Report): PluginTree | null {
  const dir = archive(unpacked, report);
  if (!dir) return null;
  const files = listFiles(dir);
  const manifests = nestedManifests(dir, files, report);
  const main = manifests.get("plugin.json");
  if (main?.id && basename(dir) !== main.id) report.add("archivename", "no-ident-root-dir", "error", `Archive should contain a directory named ${main.id}`);
  if (files.includes("plugin.json") && !main) report.add("metadatavalid", "invalid-metadata", "error", "plugin.json: does not parse as a JSON object");
  if (main) for (const e of manifestProblems(main)) report.add("metadatavalid", "invalid-metadata", "error", `plugin.json: ${e}`);
  includesNested(manifests, report);
  return { dir, files, manifests };
}
