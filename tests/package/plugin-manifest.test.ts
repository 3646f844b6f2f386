/**
 * Our description of plugin.json (scripts/catalog/plugin-manifest.ts), which the metadatavalid rule
 * applies: the project's own manifests meet it, and each field it guards is refused when it is wrong,
 * at the field's path — so the description is neither looser nor stricter than it says.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { manifestProblems } from "../../scripts/catalog/plugin-manifest.ts";
import { ROOT } from "../helpers/process.ts";
import type { Json } from "./support/zip-variants.ts";

const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Json;

describe("the plugin.json description", () => {
  for (const file of ["plugin.json", "src/datasource/plugin.json", "src/panel/plugin.json"]) {
    it(`accepts the project's ${file}`, () => assert.deepEqual(manifestProblems(read(file)), []));
  }

  it("accepts a released manifest: a version and a date in place of the placeholders, an author with email and URL, a link target", () => {
    const m = read("plugin.json");
    m.info.version = "1.4.0-beta.2";
    m.info.updated = "2026-01-31";
    m.info.author = { name: "nomnom-live", email: "team@example.com", url: "https://example.com" };
    m.info.links[0].target = "_blank";
    assert.deepEqual(manifestProblems(m), []);
  });

  /** [what is wrong, the change to the root plugin.json, the start of the problem it must give]. */
  const WRONG: Array<[string, (m: Json) => void, string]> = [
    ["a top-level field Grafana does not have", (m) => (m.homepage = "x"), '(root): Unrecognized key: "homepage"'],
    ["an id with an upper-case letter", (m) => (m.id = "NomNom-live-app"), "id: "],
    ["an id with an underscore", (m) => (m.id = "nomnom_live-app"), "id: "],
    ["an id not ending in a plugin type", (m) => (m.id = "nomnom-live-apps"), "id: "],
    ["an id of four parts", (m) => (m.id = "acme-nomnom-live-app"), "id: "],
    ["a type Grafana cannot load", (m) => (m.type = "widget"), "type: "],
    ["no name", (m) => delete m.name, "name: "],
    ["no dependencies", (m) => delete m.dependencies, "dependencies: "],
    ["no grafanaDependency", (m) => delete m.dependencies.grafanaDependency, "dependencies.grafanaDependency: "],
    ["a field dependencies does not have", (m) => (m.dependencies.node = ">=20"), "dependencies: "],
    ["a required plugin with a malformed id", (m) => (m.dependencies.plugins = [{ id: "grafana", name: "Grafana", type: "app" }]), "dependencies.plugins.0.id: "],
    ["a link whose url is not a URL", (m) => (m.info.links[1].url = "source code"), "info.links.1.url: Invalid URL"],
    ["a link with a field links do not have", (m) => (m.info.links[0].title = "x"), "info.links.0: "],
    ["a link target browsers do not have", (m) => (m.info.links[0].target = "_new"), "info.links.0.target: "],
    ["an author email that is not one", (m) => (m.info.author.email = "nobody"), "info.author.email: "],
    ["no keywords", (m) => delete m.info.keywords, "info.keywords: "],
    ["an empty keyword list", (m) => (m.info.keywords = []), "info.keywords: "],
    ["no large logo", (m) => delete m.info.logos.large, "info.logos.large: "],
    ["a third logo", (m) => (m.info.logos.medium = "img/logo.svg"), "info.logos: "],
    ["a screenshot with a field screenshots do not have", (m) => (m.info.screenshots[0].caption = "x"), "info.screenshots.0: "],
    ["a field info does not have", (m) => (m.info.homepage = "https://example.com"), "info: "],
    ["a version that is not one", (m) => (m.info.version = "next"), "info.version: "],
    ["an updated that is not a date", (m) => (m.info.updated = "yesterday"), "info.updated: "],
    ["an include of a type Grafana does not have", (m) => (m.includes[0].type = "tab"), "includes.0.type: "],
    ["an include role Grafana does not have", (m) => (m.includes[0].role = "Owner"), "includes.0.role: "],
    ["a route without a path", (m) => (m.routes = [{ url: "https://example.com" }]), "routes.0.path: "],
    ["a route with a field routes do not have", (m) => (m.routes = [{ path: "api", proxy: true }]), "routes.0: "],
    ["a state Grafana does not have", (m) => (m.state = "experimental"), "state: "],
    ["a flag that is not a boolean", (m) => (m.backend = "yes"), "backend: "],
  ];

  for (const [wrong, change, problem] of WRONG) {
    it(`refuses ${wrong}`, () => {
      const m = read("plugin.json");
      change(m);
      const problems = manifestProblems(m);
      assert.ok(problems.some((p) => p.startsWith(problem)), `a problem starting "${problem}"; got ${JSON.stringify(problems)}`);
    });
  }
});
