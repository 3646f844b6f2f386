/**
 * The @grafana/plugin-e2e specs (tests/e2e) run against a real Grafana, which cannot run here. What can
 * be checked here is checked: Playwright loads and lists every spec (so they compile and their fixtures
 * resolve), and every provisioned file, datasource, panel and alert rule they name is what the generator
 * wrote to provisioning/, and every label and test id they look for is in the plugin's source.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ROOT } from "../helpers/process.ts";
import { BACKEND_URL, BROWSER_URL, PROVISIONED } from "../e2e/env.ts";
import { TEST_IDS } from "../../src/constants.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML and JSON, checked field by field
type Json = Record<string, any>;

const E2E = join(ROOT, "tests", "e2e");
const specFiles = readdirSync(E2E).filter((f) => f.endsWith(".spec.ts")).sort();
const specSource = specFiles.map((f) => readFileSync(join(E2E, f), "utf8")).join("\n");
const provisioned = (path: string) => readFileSync(join(ROOT, "provisioning", path), "utf8");

describe("plugin-e2e specs for a real Grafana", () => {
  it("are all listed by Playwright, after plugin-e2e's login step", { timeout: 60_000 }, async () => {
    const cli = join(ROOT, "node_modules", "@playwright", "test", "cli.js");
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "test", "--list"], { cwd: ROOT, env: { ...process.env, CI: "" } });
    const listed = stdout.split("\n").filter((l) => l.includes(" › "));
    assert.ok(listed.some((l) => l.includes("[auth]") && l.includes("authenticate")), stdout);
    const perFile = new Map(specFiles.map((f) => [f, listed.filter((l) => l.includes(`[run-tests] › ${f}:`)).length]));
    for (const [f, n] of perFile) assert.ok(n > 0, `${f}: no test listed\n${stdout}`);
    const declared = (specSource.match(/^\s*test\(/gm) ?? []).length;
    assert.ok(listed.length - 1 >= declared, `${listed.length - 1} tests listed, ${declared} declared`);
  });

  it("name the provisioned datasource, dashboard panels and alert rules the generator writes", () => {
    const datasources = (parse(provisioned(`datasources/${PROVISIONED.datasourceFile}`)) as Json).datasources as Json[];
    const ds = datasources.find((d) => d.name === PROVISIONED.datasourceName);
    assert.equal(ds?.type, "nomnom-live-datasource");
    // The compose stack's addresses, which the specs default to.
    assert.equal(ds?.jsonData.url, BACKEND_URL);
    assert.equal(ds?.jsonData.browserUrl, BROWSER_URL);

    const dashboard = JSON.parse(provisioned(`dashboards/${PROVISIONED.dashboardFile}`)) as Json;
    const panel = (id: string) => (dashboard.panels as Json[]).find((p) => String(p.id) === id);
    const live = panel(PROVISIONED.orderLivePanelId);
    assert.equal(live?.type, "nomnom-live-panel");
    assert.deepEqual(live?.options.entities, ["Order"]);
    assert.equal(live?.options.showStats, true, "the live spec reads the card's stats");
    const stat = panel(PROVISIONED.orderStatPanelId);
    assert.equal(stat?.type, "stat");
    assert.equal(stat?.targets[0].entity, "Order");
    const liveEntities = (dashboard.panels as Json[]).filter((p) => p.type === "nomnom-live-panel").flatMap((p) => p.options.entities);
    assert.deepEqual(liveEntities, [...PROVISIONED.entities]);

    const rules = ((parse(provisioned(`alerting/${PROVISIONED.alertRulesFile}`)) as Json).groups as Json[]).flatMap((g) => g.rules as Json[]);
    for (const title of [PROVISIONED.orderAboveMax, PROVISIONED.orderBelowMin]) assert.ok(rules.some((r) => r.title === title && r.uid), title);
  });

  it("look for labels and test ids the plugin renders", () => {
    const source = (path: string) => readFileSync(join(ROOT, "src", path), "utf8");
    const config = source("datasource/ConfigEditor.tsx");
    for (const label of ["Backend URL", "Browser URL"]) {
      assert.ok(specSource.includes(`getByLabel("${label}")`), label);
      assert.ok(config.includes(`label="${label}"`), `ConfigEditor has no field "${label}"`);
    }
    const query = source("datasource/QueryEditor.tsx");
    assert.ok(query.includes('label="Entity"'));
    for (const label of ["Live rows", "History"]) assert.ok(query.includes(`label: "${label}"`), `QueryEditor has no query type "${label}"`);
    // Every component of the panel (src/panel/), wherever a test id is rendered.
    const panel = readdirSync(join(ROOT, "src", "panel"))
      .filter((f) => f.endsWith(".tsx"))
      .map((f) => source(`panel/${f}`))
      .join("\n");
    // Test ids are spelled once, in TEST_IDS (src/constants.ts): the specs name them from there, as the panel renders them.
    assert.doesNotMatch(specSource, /getByTestId\(["'`]/, "a spec retypes a test id: take it from TEST_IDS");
    const used = new Set([...specSource.matchAll(/TEST_IDS\.panel\.(\w+)/g)].map((m) => m[1]!));
    assert.ok(used.size > 0, "the specs look for none of the panel's test ids");
    for (const name of used) {
      assert.ok(name in TEST_IDS.panel, `TEST_IDS.panel has no ${name}`);
      assert.ok(panel.includes(`TEST_IDS.panel.${name}`), `the panel renders no test id ${name}`);
    }
    const app = source("AppPage.tsx");
    assert.ok(app.includes("Getting started") && app.includes("Add the datasource"));
    assert.ok(source("datasource/health.ts").includes("Connected to nomnom-live ${version}"));
    assert.ok(source("datasource/messages.ts").includes("Cannot reach the nomnom-live backend${where}"));
  });
});
