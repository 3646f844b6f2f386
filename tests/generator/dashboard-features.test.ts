/**
 * Seed 001's `features:` switches in the generated dashboard: `statistics`, `export_csv`, `filters` and
 * `auto_scroll` become the live panels' options (only those the configuration names: the panel's own
 * defaults are the features' — all on), `dark_mode` the dashboard's links to its dark and light theme.
 * Titles carry a configured emoji, not the name of a Grafana icon (the panel draws those).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { run, tempDir } from "./fixtures.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function dashboard(yaml: string): Promise<Json> {
  const dir = tempDir("gen-features");
  writeFileSync(join(dir, "nomnom-live.yaml"), yaml);
  const r = await run(["--config", join(dir, "nomnom-live.yaml"), "--out", join(dir, "out")]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(join(dir, "out", "dashboards", "nomnom-live", "nomnom-live.json"), "utf8")) as Json;
}

const ENTITIES = `
entities:
  - { name: Order, table: orders }
  - { name: Pet, table: pets, icon: "🐈" }
`;

const livePanels = (d: Json) => (d.panels as Json[]).filter((p) => p.type === "nomnom-live-panel");

describe("the generated dashboard and the features", () => {
  it("without a features block: every feature on, the panel's defaults, and the theme links", async () => {
    const d = await dashboard(ENTITIES);
    for (const p of livePanels(d)) assert.deepEqual(Object.keys(p.options).sort(), ["entities", "maxRecords", "showStats"]);
    assert.ok(livePanels(d).every((p) => p.options.showStats === true));
    assert.deepEqual(
      d.links.map((l: Json) => [l.title, l.url, l.keepTime]),
      [
        ["Dark theme", "?theme=dark", true],
        ["Light theme", "?theme=light", true],
      ],
    );
  });

  it("maps each switch the configuration names onto the live panels' options and the links", async () => {
    const d = await dashboard(`${ENTITIES}
features: { auto_scroll: false, dark_mode: false, export_csv: false, statistics: false, filters: true }
`);
    for (const p of livePanels(d)) {
      assert.deepEqual(p.options, { entities: p.options.entities, showStats: false, maxRecords: 500, autoScroll: false, exportCsv: false, showFilters: true });
    }
    assert.deepEqual(d.links, []);
  });

  it("titles panels with a configured emoji, and not with the name of the default Grafana icon", async () => {
    const titles = (await dashboard(ENTITIES)).panels.map((p: Json) => p.title) as string[];
    assert.ok(titles.includes("Order"), titles.join(" | "));
    assert.ok(titles.includes("🐈 Pet"), titles.join(" | "));
    assert.ok(titles.includes("Order inserts per minute"), titles.join(" | "));
    assert.ok(!titles.some((t) => t.includes("cube")), titles.join(" | "));
  });

  it("refuses a feature it does not know", async () => {
    const dir = tempDir("gen-features-bad");
    writeFileSync(join(dir, "nomnom-live.yaml"), `${ENTITIES}\nfeatures: { sparkles: true }\n`);
    const r = await run(["--config", join(dir, "nomnom-live.yaml"), "--out", join(dir, "out")]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /features/);
  });
});
