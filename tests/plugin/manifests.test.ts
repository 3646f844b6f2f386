/**
 * The manifests against the rules of Grafana's plugin.json reference (id pattern, type, required and
 * allowed fields, info with logos that exist, version and dates, dependencies, routes, includes for the
 * nested plugins), and dist/ against what Grafana loads (an AMD module.js and a plugin.json per plugin,
 * logos, screenshots, README and CHANGELOG, placeholders filled, Grafana's packages left external).
 */
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { GRAFANA_PROVIDED } from "../../.config/webpack/externals.ts";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
const grafanaData = JSON.parse(readFileSync(path.join(ROOT, "node_modules/@grafana/data/package.json"), "utf8")) as { version: string };
const OLDEST_TESTED_LINE = readdirSync(path.join(ROOT, "tests/compat"))
  .flatMap((d) => /^grafana-(\d+\.\d+)$/.exec(d)?.slice(1) ?? [])
  .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))[0];

// From the reference (plugin.json schema): what may appear, and the patterns values must match.
const TOP_LEVEL = new Set([
  "$schema", "alerting", "annotations", "autoEnabled", "backend", "builtIn", "category", "dependencies", "enterpriseFeatures", "executable",
  "hideFromList", "id", "includes", "info", "logs", "metrics", "name", "pascalName", "preload", "queryOptions", "routes", "skipDataQuery",
  "state", "streaming", "tracing", "type",
]);
const INFO = new Set(["author", "build", "description", "keywords", "links", "logos", "screenshots", "updated", "version"]);
const DEPENDENCIES = new Set(["grafanaVersion", "grafanaDependency", "plugins"]);
const ROUTE = new Set(["path", "method", "url", "reqSignedIn", "reqRole", "headers", "body", "tokenAuth", "jwtTokenAuth", "urlParams"]);
const ID = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;
const TYPES = ["app", "datasource", "panel", "renderer"];
const INCLUDE_TYPES = ["dashboard", "page", "panel", "datasource"];
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$|^%VERSION%$/;
const UPDATED = /^(\d{4}-\d{2}-\d{2}|%TODAY%)$/;
const GRAFANA_DEPENDENCY = /^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/;

interface Manifest {
  [key: string]: unknown;
  id: string;
  type: string;
  name: string;
  info: { [key: string]: unknown; logos: { small: string; large: string }; keywords: string[]; version: string; updated: string; screenshots?: Array<{ name: string; path: string }> };
  dependencies: { grafanaDependency: string; plugins?: unknown[] };
  includes?: Array<{ type: string; name: string; path?: string; role?: string }>;
  routes?: Array<Record<string, unknown>>;
}

const SOURCES = [
  { file: "plugin.json", dir: "src", dist: "" },
  { file: "src/datasource/plugin.json", dir: "src/datasource", dist: "datasource" },
  { file: "src/panel/plugin.json", dir: "src/panel", dist: "panel" },
];
const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as Manifest;
const unknownKeys = (obj: object, allowed: Set<string>) => Object.keys(obj).filter((k) => !allowed.has(k));

function checkManifest(m: Manifest, assetDir: string, built: boolean): void {
  for (const key of ["type", "name", "id", "info", "dependencies"]) expect(m).toHaveProperty(key);
  expect(unknownKeys(m, TOP_LEVEL)).toEqual([]);
  expect(m.id).toMatch(ID);
  expect(TYPES).toContain(m.type);
  expect(m.id.endsWith(`-${m.type}`)).toBe(true);
  expect(m.name.length).toBeGreaterThan(0);

  expect(unknownKeys(m.info, INFO)).toEqual([]);
  expect(m.info.keywords.length).toBeGreaterThanOrEqual(1);
  expect(m.info.version).toMatch(built ? new RegExp(`^${pkg.version.replace(/\./g, "\\.")}$`) : VERSION);
  expect(m.info.updated).toMatch(built ? /^\d{4}-\d{2}-\d{2}$/ : UPDATED);
  for (const logo of [m.info.logos.small, m.info.logos.large]) {
    expect(logo).toMatch(/\.svg$/);
    const file = path.join(assetDir, logo);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toMatch(/^<svg[\s>]/);
  }

  expect(unknownKeys(m.dependencies, DEPENDENCIES)).toEqual([]);
  expect(m.dependencies.grafanaDependency).toMatch(GRAFANA_DEPENDENCY);
  // Stated honestly: the minimum is the oldest Grafana line the compatibility matrix loads the plugin in
  // (tests/compat/grafana-<line>/, tests/browser/grafana-compat.test.ts).
  expect(m.dependencies.grafanaDependency).toBe(`>=${OLDEST_TESTED_LINE}.0`);
  expect(pkg.devDependencies["@grafana/data"]).toBe(grafanaData.version);
}

describe("plugin.json manifests (sources)", () => {
  it("follow the reference's rules", () => {
    for (const s of SOURCES) checkManifest(read(s.file), path.join(ROOT, s.dir), false);
  });

  it("name the plugins as the contract fixes them, and the app includes its nested plugins", () => {
    const [app, ds, panel] = SOURCES.map((s) => read(s.file));
    expect([app!.id, app!.type, ds!.id, ds!.type, panel!.id, panel!.type]).toEqual(["nomnom-live-app", "app", "nomnom-live-datasource", "datasource", "nomnom-live-panel", "panel"]);
    for (const inc of app!.includes ?? []) expect(INCLUDE_TYPES).toContain(inc.type);
    const nested = (app!.includes ?? []).filter((i) => i.type === "datasource" || i.type === "panel").map((i) => [i.type, i.name]);
    expect(nested).toEqual([
      ["datasource", ds!.name],
      ["panel", panel!.name],
    ]);
    const page = app!.includes!.find((i) => i.type === "page")!;
    expect(page.path).toBe(`/a/${app!.id}`);
    expect(["Admin", "Editor", "Viewer"]).toContain(page.role);
  });

  it("make the datasource a frontend streaming datasource whose REST route adds the token", () => {
    const ds = read("src/datasource/plugin.json");
    expect(ds.streaming).toBe(true);
    expect(ds.backend).toBe(false);
    expect(ds.routes).toHaveLength(1);
    const route = ds.routes![0]!;
    expect(unknownKeys(route, ROUTE)).toEqual([]);
    expect(route).toEqual({
      path: "api",
      url: "{{ .JsonData.url }}/api",
      // Without a token the header is empty, not `Bearer <no value>` (Go's text/template prints that for a missing key).
      headers: [{ name: "Authorization", content: "{{ if .SecureJsonData.token }}Bearer {{ .SecureJsonData.token }}{{ end }}" }],
    });
  });
});

describe("dist/ as Grafana loads it", () => {
  const dist = path.join(ROOT, "dist");

  it("holds a plugin.json and an AMD module.js per plugin, with placeholders filled and logos beside them", () => {
    for (const s of SOURCES) {
      const dir = path.join(dist, s.dist);
      const manifest = JSON.parse(readFileSync(path.join(dir, "plugin.json"), "utf8")) as Manifest;
      expect(manifest.id).toBe(read(s.file).id);
      checkManifest(manifest, dir, true);
      const module = readFileSync(path.join(dir, "module.js"), "utf8");
      const define = /(?:^|\n)define\((\[[^\]]*\])/.exec(module);
      expect(define).not.toBeNull();
      const deps = JSON.parse(define![1]!) as string[];
      // Grafana's packages and React come from Grafana at run time, never from the bundle.
      for (const d of deps) expect(GRAFANA_PROVIDED).toContain(d);
      // (markers of React itself and of @grafana/runtime; @grafana/* alone would weigh megabytes)
      expect(module).not.toMatch(/react\.provider|window\.grafanaBootData was not set/);
      expect(module.length).toBeLessThan(200_000);
    }
    expect(readFileSync(path.join(dist, "datasource/module.js"), "utf8")).toMatch(/define\(\[[^\]]*"@grafana\/data"[^\]]*"@grafana\/runtime"/);
    expect(readFileSync(path.join(dist, "panel/module.js"), "utf8")).toMatch(/define\(\[[^\]]*"react"/);
  });

  it("holds the README, CHANGELOG and screenshot the app's page in Grafana shows", () => {
    const app = JSON.parse(readFileSync(path.join(dist, "plugin.json"), "utf8")) as Manifest;
    for (const shot of app.info.screenshots ?? []) expect(existsSync(path.join(dist, shot.path))).toBe(true);
    expect(app.info.screenshots?.length).toBeGreaterThan(0);
    const readme = readFileSync(path.join(dist, "README.md"), "utf8");
    expect(readme).toContain("# nomnom-live for Grafana");
    expect(readme).toContain(`Version ${pkg.version}`);
    expect(readme).not.toContain("%VERSION%");
    expect(existsSync(path.join(dist, "CHANGELOG.md"))).toBe(true);
  });
});
