/**
 * The plugin's catalog zip (`npm run package`): it unpacks to the one folder Grafana's plugin loader reads
 * (`grafana cli --pluginUrl` and the catalog install it as it is), it passes every plugin-validator rule
 * that runs offline, and each of those rules fails a zip broken in the way the rule guards against.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import { PLUGIN_ID } from "../../contract/index.ts";
import { checkPluginZip, type Diagnostic } from "../../scripts/catalog/index.ts";
import { writePluginArchive, type PluginArchive } from "../../scripts/plugin-archive.ts";
import { SIGN_PLUGIN } from "../../scripts/sign-plugin.ts";
import { ROOT } from "../helpers/process.ts";
import { zipVariant, type Variant } from "./support/zip-variants.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const OPTIONS = { packageVersion: pkg.version, sourceDir: ROOT };

let out: string;
let archive: PluginArchive;

before(() => {
  ensureBuilt();
  out = mkdtempSync(join(tmpdir(), "nomnom-package-"));
  archive = writePluginArchive({ distDir: join(ROOT, "dist"), outDir: out });
});
after(() => rmSync(out, { recursive: true, force: true }));

const errorsOf = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

describe("the plugin zip", () => {
  it("is named nomnom-live-app-<version>.zip and unpacks to one nomnom-live-app/ folder with the tree Grafana's plugin loader reads", () => {
    assert.equal(archive.zip, join(out, `${PLUGIN_ID.app}-${pkg.version}.zip`));
    const listing = spawnSync("unzip", ["-Z1", archive.zip], { encoding: "utf8" });
    assert.equal(listing.status, 0, listing.stderr);
    const entries = listing.stdout.trim().split("\n");
    assert.ok(entries.every((e) => e.startsWith(`${PLUGIN_ID.app}/`)), `every entry is under ${PLUGIN_ID.app}/: ${entries.join(", ")}`);
    const files = new Set(entries.map((e) => e.slice(PLUGIN_ID.app.length + 1)));
    for (const file of ["plugin.json", "module.js", "module.js.map", "datasource/plugin.json", "datasource/module.js", "panel/plugin.json", "panel/module.js", "img/logo.svg", "LICENSE", "README.md", "CHANGELOG.md"]) {
      assert.ok(files.has(file), `${PLUGIN_ID.app}/${file} is in the zip`);
    }
    for (const dir of ["datasource/", "panel/", "img/"]) assert.ok([...files].some((f) => f.startsWith(dir)), `${dir} is in the zip`);
    // The loader finds a plugin in each folder with a plugin.json and loads the module.js beside it.
    for (const manifest of [...files].filter((f) => f.endsWith("plugin.json"))) {
      assert.ok(files.has(manifest.replace("plugin.json", "module.js")), `${manifest} has a module.js beside it`);
    }
    const ids = ["plugin.json", "datasource/plugin.json", "panel/plugin.json"].map(
      (f) => (JSON.parse(spawnSync("unzip", ["-p", archive.zip, `${PLUGIN_ID.app}/${f}`], { encoding: "utf8" }).stdout) as { id: string }).id,
    );
    assert.deepEqual(ids, [PLUGIN_ID.app, PLUGIN_ID.datasource, PLUGIN_ID.panel]);
    assert.equal(spawnSync("unzip", ["-p", archive.zip, `${PLUGIN_ID.app}/LICENSE`], { encoding: "utf8" }).stdout, readFileSync(join(ROOT, "LICENSE"), "utf8"));
    assert.ok(!files.has("MANIFEST.txt"), "unsigned without a token");
    assert.equal(archive.signed, false);
  });

  it("has its SHA-1 and MD5 beside it, as sha1sum and md5sum print them", () => {
    const bytes = readFileSync(archive.zip);
    const name = `${PLUGIN_ID.app}-${pkg.version}.zip`;
    assert.equal(readFileSync(`${archive.zip}.sha1`, "utf8"), `${createHash("sha1").update(bytes).digest("hex")}  ${name}\n`);
    assert.equal(readFileSync(`${archive.zip}.md5`, "utf8"), `${createHash("md5").update(bytes).digest("hex")}  ${name}\n`);
    assert.equal(archive.bytes, bytes.length);
  });

  it("passes every plugin-validator rule that runs offline, with no error and no warning", () => {
    const diagnostics = checkPluginZip(archive.zip, OPTIONS);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity !== "recommendation"),
      [],
    );
  });
});

/** [what is broken, the change, the analyzer and rule that must report it, its severity]. */
const FAULTS: Array<[string, (v: Variant) => void, string, string, Diagnostic["severity"]?]> = [
  ["a second entry beside the plugin folder", (v) => writeFileSync(join(v.root, "notes.txt"), "x"), "archive", "more-than-one-dir"],
  ["the plugin folder named other than the plugin id", (v) => spawnSync("mv", [v.plugin, join(v.root, "nomnom-live")]), "archivename", "no-ident-root-dir"],
  ["dist/ inside the plugin folder", (v) => spawnSync("sh", ["-c", 'mkdir ../dist && mv ./* ../dist/ && mv ../dist .'], { cwd: v.plugin }), "archive", "dist"],
  ["no plugin.json", (v) => v.remove("plugin.json"), "metadata", "missing-metadata"],
  ["a nested plugin.json that does not parse", (v) => v.write("panel/plugin.json", "{ nope"), "nestedmetadata", "invalid-metadata"],
  ["a field the plugin.json schema does not have", (v) => v.editJson("plugin.json", (m) => (m.homepage = "x")), "metadatavalid", "invalid-metadata"],
  ["a link that is not a URI", (v) => v.editJson("plugin.json", (m) => (m.info.links[0].url = "source code")), "metadatavalid", "invalid-metadata"],
  ["a plugin id not of the org-name-type form", (v) => v.editJson("plugin.json", (m) => (m.id = "nomnom_live-app")), "metadatavalid", "invalid-metadata"],
  ["an empty keyword list", (v) => v.editJson("plugin.json", (m) => (m.info.keywords = [])), "metadatavalid", "invalid-metadata"],
  ["a nested plugin not declared with its path", (v) => v.editJson("plugin.json", (m) => delete m.includes.find((i: { type: string }) => i.type === "panel").path), "includesnested", "nested-plugins-not-declared"],
  ["a nested plugin declared with another type", (v) => v.editJson("plugin.json", (m) => (m.includes.find((i: { type: string }) => i.type === "panel").type = "datasource")), "includesnested", "nested-plugin-type-missmatch"],
  ["an empty logo", (v) => v.editJson("panel/plugin.json", (m) => (m.info.logos.small = "")), "logos", "logos"],
  ["a logo that is not in the zip", (v) => v.remove("datasource/img/logo.svg"), "metadatapaths", "path-not-exists"],
  ["a logo path starting with ./", (v) => v.editJson("plugin.json", (m) => (m.info.logos.large = "./img/logo.svg")), "metadatapaths", "invalid-relative-path"],
  ["a screenshot that is not an image", (v) => v.write("img/panel.png", "not a picture"), "screenshots", "screenshots-image-type"],
  ["no screenshot", (v) => v.editJson("plugin.json", (m) => delete m.info.screenshots), "screenshots", "screenshots", "warning"],
  ["no LICENSE", (v) => v.remove("LICENSE"), "license", "license-not-provided"],
  ["a license the catalog does not accept", (v) => v.write("LICENSE", "Copyright nomnom-live. All rights reserved.\n"), "license", "license-not-valid"],
  ["an Apache license still holding the template's fields", (v) => v.write("LICENSE", readFileSync(join(v.plugin, "LICENSE"), "utf8").replace(/Copyright 20\d\d .*/, "Copyright {yyyy} {name of copyright owner}")), "license", "license-with-generic-text", "warning"],
  ["no README.md", (v) => v.remove("README.md"), "readme", "missing-readme"],
  ["a README link relative to the repository", (v) => v.write("README.md", "# nomnom-live\n\nSee [the docs](docs/setup.md).\n"), "brokenlinks", "relative-link"],
  ["create-plugin's README", (v) => v.write("README.md", "# Grafana App Plugin Template\n"), "templatereadme", "template-readme"],
  ["a comment in the README", (v) => v.write("README.md", "# nomnom-live\n<!-- todo -->\n"), "readme", "readme-comment", "warning"],
  ["no CHANGELOG.md", (v) => v.remove("CHANGELOG.md"), "changelog", "missing-changelog", "warning"],
  ["no module.js", (v) => ["module.js", "datasource/module.js", "panel/module.js"].forEach((f) => v.remove(f)), "modulejs", "missing-modulejs"],
  ["a module.js without its source map", (v) => v.remove("panel/module.js.map"), "jsMap", "js-map-not-found"],
  ["a source map without the sources' content", (v) => v.editJson("datasource/module.js.map", (m) => delete m.sourcesContent), "jsMap", "js-map-invalid"],
  ["a source map of sources other than src/'s", (v) => v.editJson("panel/module.js.map", (m) => (m.sourcesContent[m.sources.findIndex((s: string) => s.endsWith("/panel/module.tsx"))] += "\n// edited\n")), "jsMap", "js-map-no-match"],
  ["a version that does not parse", (v) => v.editJson("plugin.json", (m) => (m.info.version = "next")), "version", "wrong-plugin-version"],
  ["a nested plugin of another version than package.json", (v) => v.editJson("panel/plugin.json", (m) => (m.info.version = "9.9.9")), "version", "version-not-package-version"],
  ["a grafanaDependency that is not a version constraint", (v) => v.editJson("plugin.json", (m) => (m.dependencies.grafanaDependency = "newest")), "grafanadependency", "invalid-grafana-dependency"],
  ["a grafanaDependency of one release", (v) => v.editJson("plugin.json", (m) => (m.dependencies.grafanaDependency = "13.1.1")), "restrictivedep", "depends-on-single-release", "warning"],
  ["the plugin id as its name", (v) => v.editJson("plugin.json", (m) => (m.name = m.id)), "pluginname", "human-friendly-name"],
  ["a nested plugin id not ending in its type", (v) => v.editJson("panel/plugin.json", (m) => (m.id = "nomnom-live-panels")), "typesuffix", "plugin-type-suffix"],
  ["an SVG with a script", (v) => v.write("img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "unsafesvg", "unsafe-svg-file"],
  ["an SVG with an event handler", (v) => v.write("panel/img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'), "unsafesvg", "unsafe-svg-file"],
  ["an SVG that is not well-formed", (v) => v.write("datasource/img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'), "unsafesvg", "unsafe-svg-file"],
  ["a tracking script", (v) => v.write("module.js", `${readFileSync(join(v.plugin, "module.js"), "utf8")}\nvar s="https://www.google-analytics.com/analytics.js";\n`), "trackingscripts", "tracking-scripts"],
  ["a protocol-relative tracking pixel in a nested module", (v) => v.write("panel/module.js", `${readFileSync(join(v.plugin, "panel/module.js"), "utf8")}\nvar p='//connect.facebook.net/en_US/fbevents.js';\n`), "trackingscripts", "tracking-scripts"],
];

describe("each offline plugin-validator rule fails a zip broken the way it guards against", () => {
  for (const [fault, change, analyzer, rule, severity = "error"] of FAULTS) {
    it(`${analyzer}/${rule}: ${fault}`, () => {
      const variant = zipVariant(archive.folder, change);
      try {
        const diagnostics = checkPluginZip(variant.zip, OPTIONS);
        const found = diagnostics.find((d) => d.analyzer === analyzer && d.rule === rule);
        assert.ok(found, `${analyzer}/${rule} reports it; got ${JSON.stringify(diagnostics)}`);
        assert.equal(found.severity, severity);
        if (severity === "error") assert.ok(errorsOf(diagnostics).length > 0);
      } finally {
        variant.remove();
      }
    });
  }

  it("trackingscripts/tracking-scripts: not a URL that only names a tracker in its path, query or a longer host", () => {
    const urls = ["https://example.com/google-analytics.com-notes", "https://example.com/?ref=hotjar.com", "https://notgoogle-analytics.com/", "https://google-analytics.com.example.org/x"];
    const variant = zipVariant(archive.folder, (v) => v.write("module.js", `${readFileSync(join(v.plugin, "module.js"), "utf8")}\n${urls.map((u) => `var u="${u}";`).join("\n")}\n`));
    try {
      const diagnostics = checkPluginZip(variant.zip, OPTIONS);
      assert.deepEqual(diagnostics.filter((d) => d.analyzer === "trackingscripts"), []);
    } finally {
      variant.remove();
    }
  });

  it("the unchanged copy passes, so every failure above is the change's", () => {
    const variant = zipVariant(archive.folder, () => {});
    try {
      assert.deepEqual(errorsOf(checkPluginZip(variant.zip, OPTIONS)), []);
    } finally {
      variant.remove();
    }
  });
});

describe("npm run package", () => {
  it("says the zip is unsigned when GRAFANA_ACCESS_POLICY_TOKEN is not set", () => {
    const dir = mkdtempSync(join(tmpdir(), "nomnom-package-cli-"));
    try {
      const env = { ...process.env };
      delete env.GRAFANA_ACCESS_POLICY_TOKEN;
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/package.ts", "--no-build", "--out", dir], { cwd: ROOT, env, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /UNSIGNED: GRAFANA_ACCESS_POLICY_TOKEN is not set/);
      assert.ok(existsSync(join(dir, `${PLUGIN_ID.app}-${pkg.version}.zip`)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("signs with @grafana/sign-plugin when the token is set — privately for GRAFANA_ROOT_URLS — before zipping", () => {
    // A stand-in for npx (no token, no network here): it records its arguments and writes the MANIFEST.txt sign-plugin would.
    const dir = mkdtempSync(join(tmpdir(), "nomnom-package-sign-"));
    try {
      const npx = join(dir, "npx");
      writeFileSync(npx, '#!/bin/sh\necho "$@" > "$FAKE_NPX_ARGS"\nwhile [ $# -gt 0 ]; do [ "$1" = --distDir ] && echo signed > "$2/MANIFEST.txt"; shift; done\n', { mode: 0o755 });
      const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_NPX_ARGS: join(dir, "args"), GRAFANA_ACCESS_POLICY_TOKEN: "glc_test", GRAFANA_ROOT_URLS: "https://grafana.example.com/" };
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/package.ts", "--no-build", "--out", join(dir, "out")], { cwd: ROOT, env, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /signed \(private, for https:\/\/grafana\.example\.com\/\)/);
      assert.equal(readFileSync(join(dir, "args"), "utf8").trim(), `--yes ${SIGN_PLUGIN} --distDir ${join(dir, "out", PLUGIN_ID.app)} --signatureType private --rootUrls https://grafana.example.com/`);
      const zip = join(dir, "out", `${PLUGIN_ID.app}-${pkg.version}.zip`);
      assert.equal(spawnSync("unzip", ["-p", zip, `${PLUGIN_ID.app}/MANIFEST.txt`], { encoding: "utf8" }).stdout, "signed\n", "the signature is inside the zip");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
