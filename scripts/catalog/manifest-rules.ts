/**
 * The plugin-validator's passes over the manifests: logos (both set), metadatapaths (logos and
 * screenshots are relative paths to files in the archive), screenshots (at least one, of an image type
 * the catalog shows), grafanadependency (a constraint that parses), restrictivedep (not one release
 * only), version (a valid version — and here also package.json's, since offline there is no published
 * version to compare with), pluginname, typesuffix, discoverability and sponsorshiplink.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { screenshotProblem } from "./image-type.ts";
import type { Manifest, PluginTree } from "./plugin-tree.ts";
import type { Report } from "./report.ts";
import { isVersion, isVersionConstraint } from "./semver-constraint.ts";

export interface ManifestRuleOptions {
  /** package.json's version, which every manifest's info.version must be. */
  packageVersion?: string;
}

function logosAndPaths(tree: PluginTree, report: Report): void {
  for (const [path, m] of tree.manifests) {
    const logos = m.info?.logos ?? {};
    for (const size of ["small", "large"] as const) {
      if (!logos[size]?.trim()) report.add("logos", "logos", "error", `plugin.json: invalid empty ${size} logo path for ${path}`);
    }
    const refs: Array<[kind: string, ref: string | undefined]> = [
      ...(m.info?.screenshots ?? []).map((s): [string, string | undefined] => ["screenshot", s.path]),
      ["small logo", logos.small],
      ["large logo", logos.large],
    ];
    for (const [kind, ref] of refs) {
      if (ref === undefined) continue;
      if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) report.add("metadatapaths", "path-relative-to-metadata", "error", `plugin.json: ${kind} path should be relative to plugin.json: ${ref}`);
      else if (ref.startsWith(".") || ref.startsWith("/")) report.add("metadatapaths", "invalid-relative-path", "error", `plugin.json: relative ${kind} path should not start with '.' or '/': ${ref}`);
      else if (!existsSync(join(tree.dir, dirname(path), ref))) report.add("metadatapaths", "path-not-exists", "error", `plugin.json: ${kind} path doesn't exists: ${join(dirname(path), ref)}`);
    }
  }
}

function screenshots(tree: PluginTree, main: Manifest, report: Report): void {
  const shots = main.info?.screenshots ?? [];
  if (shots.length === 0) report.add("screenshots", "screenshots", "warning", "plugin.json: should include screenshots for the Plugin catalog");
  for (const shot of shots) {
    if (!shot.path?.trim()) {
      report.add("screenshots", "screenshots", "warning", `plugin.json: invalid empty screenshot path: "${shot.name ?? ""}"`);
      continue;
    }
    const problem = screenshotProblem(join(tree.dir, shot.path));
    if (problem) report.add("screenshots", "screenshots-image-type", "error", problem);
  }
}

function dependency(main: Manifest, report: Report): void {
  const constraint = main.dependencies?.grafanaDependency ?? "";
  if (!isVersionConstraint(constraint)) {
    report.add("grafanadependency", "invalid-grafana-dependency", "error", `plugin.json: dependencies.grafanaDependency field has invalid or empty version constraint: "${constraint}"`);
  } else if (/^[0-9]+.[0-9]+.x$/.test(constraint)) {
    report.add("restrictivedep", "depends-on-patch-releases", "warning", `plugin.json: grafanaDependency only targets patch releases of Grafana ${constraint.slice(0, -2)}`);
  } else if (/^[0-9]+.[0-9]+.[0-9]+$/.test(constraint)) {
    report.add("restrictivedep", "depends-on-single-release", "warning", `plugin.json: grafanaDependency only targets Grafana ${constraint}`);
  }
}

function versions(tree: PluginTree, main: Manifest, report: Report, packageVersion: string | undefined): void {
  const version = main.info?.version ?? "";
  if (!isVersion(version)) report.add("version", "wrong-plugin-version", "error", `Plugin version "${version}" is invalid.`);
  if (packageVersion === undefined) return;
  for (const [path, m] of tree.manifests) {
    if (m.info?.version !== packageVersion) report.add("version", "version-not-package-version", "error", `${path}: info.version "${m.info?.version ?? ""}" is not package.json's ${packageVersion}`);
  }
}

function naming(tree: PluginTree, main: Manifest, report: Report): void {
  if (main.id && main.name && main.id === main.name) report.add("pluginname", "human-friendly-name", "error", "plugin.json: plugin name should be human-friendly");
  if ((main.id ?? "").split("-").length < 3) report.add("pluginname", "invalid-id-format", "warning", "plugin.json: plugin id should follow the format org-name-type");
  for (const [path, m] of tree.manifests) {
    if (m.type && m.id?.split("-").pop() !== m.type) report.add("typesuffix", "plugin-type-suffix", "error", `${path}: plugin id should end with plugin type`);
  }
}

function catalogPage(main: Manifest, report: Report): void {
  if (!main.info?.description) report.add("discoverability", "empty-description", "warning", "plugin.json: description is empty");
  if (!main.info?.keywords?.length) report.add("discoverability", "empty-keywords", "warning", "plugin.json: keywords are empty");
  if (!(main.info?.links ?? []).some((l) => (l.name ?? "").toLowerCase().includes("sponsor"))) {
    report.add("sponsorshiplink", "sponsorshiplink", "recommendation", "You can include a sponsorship link if you want users to support your work");
  }
}

export function manifestRules(tree: PluginTree, report: Report, options: ManifestRuleOptions = {}): void {
  logosAndPaths(tree, report);
  const main = tree.manifests.get("plugin.json");
  if (!main) return;
  screenshots(tree, main, report);
  dependency(main, report);
  versions(tree, main, report, options.packageVersion);
  naming(tree, main, report);
  catalogPage(main, report);
}
