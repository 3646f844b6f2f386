/**
 * The plugin-validator's passes over the code and images: modulejs (a module.js to load), jsMap (a
 * module.js.map beside each, holding the sources and their content; given the source folder, each of its
 * own sources must be the file in src/ byte for byte — a zip built from a stale dist/ fails), trackingscripts
 * (no URL in a module.js pointing at a well-known analytics or tracking host) and unsafesvg.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PluginTree } from "./plugin-tree.ts";
import type { Report } from "./report.ts";
import { svgProblem } from "./svg-safety.ts";

export interface ModuleRuleOptions {
  /** The plugin's source repository (its src/ is what the source maps must hold); without it the maps' content is not compared. */
  sourceDir?: string;
}

/**
 * Hosts that serve analytics or tracking scripts, or receive their beacons; a URL on one of them or on a
 * subdomain of one is reported. A first line of defence only: Grafana's own validator applies its full
 * block list when the plugin is submitted to the catalog.
 */
const TRACKING_HOSTS = [
  "google-analytics.com",
  "googletagmanager.com",
  "doubleclick.net",
  "googleadservices.com",
  "connect.facebook.net",
  "cdn.segment.com",
  "api.segment.io",
  "hotjar.com",
  "mixpanel.com",
  "amplitude.com",
  "fullstory.com",
  "heapanalytics.com",
  "js-agent.newrelic.com",
  "bam.nr-data.net",
  "clarity.ms",
  "plausible.io",
  "i.posthog.com",
  "mouseflow.com",
  "crazyegg.com",
  "quantserve.com",
  "scorecardresearch.com",
  "bat.bing.com",
  "snap.licdn.com",
  "static.ads-twitter.com",
];

/** The tracking host `url` points at (absolute, or protocol-relative), if it points at one. */
function trackingHost(url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url, "https://base.invalid/").hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return TRACKING_HOSTS.find((host) => hostname === host || hostname.endsWith(`.${host}`));
}

/** Source-map entries the validator does not compare: webpack's runtime, externals, packages, styles, data. */
function ignoredSource(name: string): boolean {
  const path = name.split("?")[0]!;
  if (path.includes("/node_modules/.pnpm/")) return true;
  if ([".css", ".scss", ".sass", ".less", ".svg", ".svg$", ".json"].some((ext) => path.endsWith(ext))) return true;
  return ["external ", "webpack/", "../node_modules", "./node_modules/"].some((start) => path.length > start.length && path.startsWith(start));
}

function sourceMap(tree: PluginTree, modulePath: string, pluginId: string, report: Report, sourceDir: string | undefined): void {
  const mapPath = join(dirname(modulePath), "module.js.map").split("\\").join("/");
  if (!tree.files.includes(mapPath)) return report.add("jsMap", "js-map-not-found", "error", `missing ${mapPath} in archive`);
  let map: { sources?: string[]; sourcesContent?: string[] };
  try {
    map = JSON.parse(readFileSync(join(tree.dir, mapPath), "utf8")) as typeof map;
  } catch {
    return report.add("jsMap", "js-map-invalid", "error", `the sourcemap file ${mapPath} could not be validated`);
  }
  const sources = map.sources ?? [];
  const contents = map.sourcesContent ?? [];
  if (sources.length === 0 || contents.length !== sources.length) {
    return report.add("jsMap", "js-map-invalid", "error", `the sourcemap file ${mapPath} needs its sources and, for each, sourcesContent`);
  }
  if (!sourceDir) return;
  const prefix = new RegExp(`^webpack://${pluginId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/*|^webpack:/*`);
  const differ: string[] = [];
  sources.forEach((source, i) => {
    const name = source.replace(prefix, "");
    if (ignoredSource(name)) return;
    let original: string | undefined;
    try {
      original = readFileSync(join(sourceDir, "src", name), "utf8");
    } catch {
      original = undefined;
    }
    if (original?.replace(/\r\n/g, "\n") !== contents[i]!.replace(/\r\n/g, "\n")) differ.push(name);
  });
  if (differ.length > 0) {
    report.add("jsMap", "js-map-no-match", "error", `The provided javascript/typescript source code does not match your plugin archive assets (${mapPath}): ${differ.join(", ")}`);
  }
}

export function moduleRules(tree: PluginTree, report: Report, options: ModuleRuleOptions = {}): void {
  const modules = tree.files.filter((f) => f === "module.js" || f.endsWith("/module.js"));
  if (modules.length === 0) report.add("modulejs", "missing-modulejs", "error", "missing module.js");
  const pluginId = tree.manifests.get("plugin.json")?.id ?? "";
  for (const module of modules) {
    sourceMap(tree, module, pluginId, report, options.sourceDir);
    for (const [url] of readFileSync(join(tree.dir, module), "utf8").matchAll(/(?:https?:)?\/\/[^\s"'`<>()\\]+/gi)) {
      const host = trackingHost(url);
      if (host) report.add("trackingscripts", "tracking-scripts", "error", `${module}: should not include tracking scripts (found ${url.slice(0, 120)}, a URL on ${host})`);
    }
  }
  for (const svg of tree.files.filter((f) => f.endsWith(".svg"))) {
    const problem = svgProblem(readFileSync(join(tree.dir, svg), "utf8"));
    if (problem) report.add("unsafesvg", "unsafe-svg-file", "error", `SVG file ${svg} is unsafe: ${problem}`);
  }
}
