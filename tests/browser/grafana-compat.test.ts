/**
 * The compatibility matrix: the same built dist/ modules, loaded as Grafana loads them (AMD, with the
 * modules that Grafana version really shares: preview/src/vendor.ts) by a host built against each Grafana
 * line's own @grafana/* packages (tests/compat/grafana-<line>/, and the main install), in Chromium, against
 * a backend on a real PostgreSQL. For each version: every AMD dependency of dist/ is one that version
 * provides; live rows stream into the Entity stream panel with their stats; the app page renders; the
 * config editor's settings save and pass the health check; the query editor lists the entities, switches
 * every entity and query type, and picks fields; live, stats, insert-rate and history queries return their
 * frames; no page error and no console error. With CI=true a line whose packages are missing fails.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import { createTestDatabase, IN_CI, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { cardRows, freePort, launchBrowser, status, waitUntil } from "./support/browser.ts";
import { ensureCompatBuilt, grafanaLines, missing, type GrafanaLine } from "./support/compat.ts";
import { amdDependencies, grafanaOwnFile, inHarness as harness, namedImports, pick, serveBuild, watch, type Problems } from "./support/compat-page.ts";
import type { FrameSummary, Harness } from "./support/grafana-harness.tsx";

const ENTITIES = ["Order", "LineItem"];
const QUERY_TYPES: Array<[label: string, value: string]> = [
  ["Live rows", "live"],
  ["Stats", "stats"],
  ["Insert rate", "rate"],
  ["History", "history"],
];
describe("Grafana compatibility matrix", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let backend: BackendProcess;
  let browser: Browser;
  const lines = grafanaLines();

  before(async () => {
    ensureBuilt();
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    const configFile = join(mkdtempSync(join(tmpdir(), "nomnom-compat-")), "nomnom-live.yaml");
    writeFileSync(
      configFile,
      `database:
  url: \${DATABASE_URL}
polling: { interval_ms: 100 }
server: { host: 127.0.0.1, stats_interval_ms: 300 }
entities:
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total, d], max_records: 1000 }
  - { name: LineItem, table: order_line_items, display_fields: [order_key, qty] }
`,
    );
    backend = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", configFile], { PORT: String(await freePort()), DATABASE_URL: db.url! });
    // The pages come from route.fulfill(), which Chromium counts as a public origin: its Local Network
    // Access checks would then refuse the WebSocket to 127.0.0.1, which the real page (same origin) may open.
    browser = await launchBrowser(["--disable-features=LocalNetworkAccessChecks"]);
  });
  after(async () => {
    await browser?.close();
    await backend?.stop();
    await db?.drop();
  });

  it("covers Grafana 10.4 to the main install's line", () => {
    assert.ok(lines.length >= 4, `the lines: ${lines.map((l) => l.version).join(", ")}`);
    assert.equal(lines[0]!.line, "10.4");
  });

  lines.forEach((l: GrafanaLine, index) => {
    const why = missing(l);
    describe(`Grafana ${l.version}`, { skip: why && !IN_CI ? `${why}; skipped outside CI` : undefined }, () => {
      let context: BrowserContext;
      let preview: Page;
      let page: Page;
      const problems: Problems = { page: [], console: [] };
      const firstOrder = 1000 * (index + 1);

      before(async () => {
        if (why) throw new Error(why);
        const build = ensureCompatBuilt(l);
        context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        await serveBuild(context, backend.url, build);
        preview = await context.newPage();
        watch(preview, problems);
        page = await context.newPage();
        watch(page, problems);
        const failed = (what: string) => (e: unknown) => {
          throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}\npage errors: ${problems.page.join("\n")}\nconsole errors: ${problems.console.map((c) => `${c.text} (${c.url})`).join("\n")}`);
        };
        await preview.goto(backend.url + "/");
        await preview.waitForSelector('[data-testid="nomnom-card-Order"]', { timeout: 60_000 }).catch(failed("the preview did not show the panel"));
        await page.goto(backend.url + "/harness");
        await page.waitForSelector('[data-testid="harness-ready"]', { state: "attached", timeout: 60_000 }).catch(failed("the harness did not start"));
      });
      after(async () => {
        await context?.close();
      });

      it("is the version the host was built with, and dist/ imports only modules it shares", async () => {
        const host = await preview.evaluate(() => (window as unknown as { nomnomPreview: { provided: string[] } }).nomnomPreview.provided);
        const h = await harness(page, (h) => ({ version: h.version, provided: h.provided }));
        assert.deepEqual(host, h.provided, "the preview and the harness provide the same modules");
        assert.equal(h.version, l.version);
        for (const [file, deps] of Object.entries(amdDependencies())) {
          for (const d of deps) assert.ok(h.provided.includes(d), `${file} imports ${d}, which Grafana ${l.version} does not share with plugins`);
        }
        // Every name src/ imports from Grafana's packages is one this version's packages export.
        const exported = await harness(page, (h) => h.exports);
        for (const [module, names] of Object.entries(namedImports())) {
          const absent = names.filter((n) => !exported[module]?.includes(n));
          assert.deepEqual(absent, [], `src/ imports ${absent.join(", ")} from ${module}, which Grafana ${l.version}'s lacks`);
        }
      });

      it("streams inserted rows, with their stats, into the Entity stream panel", async () => {
        await waitUntil("'connected'", async () => (await status(preview)) === "connected", 30_000);
        await db.dialect.execute(insertOrders(firstOrder, 3));
        const keys = [2, 1, 0].map((i) => `O-${firstOrder + i}`);
        await waitUntil("the new orders", async () => (await cardRows(preview, "Order")).slice(0, 3).map((r) => r[0]).join() === keys.join(), 20_000);
        await waitUntil("stats", async () => /\d+ rows/.test((await preview.textContent('[data-testid="nomnom-stats-Order"]').catch(() => "")) ?? ""));
      });

      it("renders the app's page", async () => {
        const text = (await page.textContent('[data-testid="harness-app"]')) ?? "";
        assert.match(text, /Getting started/);
        assert.match(text, /Add the datasource/);
      });

      it("saves the config editor's settings, keeps the token as configured, and passes the health check with them", async () => {
        const config = page.locator('[data-testid="harness-config"]');
        await config.locator("#nomnom-url").fill(backend.url);
        await config.locator("#nomnom-browser-url").fill(backend.url);
        await config.getByPlaceholder("bearer token").fill("a-token-of-at-least-16-chars");
        await page.click('[data-testid="harness-save"]');
        await waitUntil("the health check", async () => (await harness(page, (h) => h.health)) !== undefined);
        const saved = await harness(page, (h) => ({ saved: h.saved, health: h.health }));
        assert.deepEqual(saved.saved!.jsonData, { url: backend.url, browserUrl: backend.url });
        assert.equal(saved.saved!.secureJsonData, undefined);
        assert.deepEqual(saved.saved!.secureJsonFields, { token: true });
        assert.equal(saved.health!.status, "success", saved.health!.message);
        assert.equal(await config.getByPlaceholder("bearer token").inputValue(), "configured");
      });

      it("lists the entities in the query editor, and switches every entity and query type", async () => {
        const editor = page.locator('[data-testid="harness-query"]');
        const last = () => harness(page, (h) => h.queries[h.queries.length - 1]);
        for (const entity of [...ENTITIES, "All entities"]) {
          await pick(page, editor.locator("#nomnom-entity"), entity);
          await waitUntil(`the entity ${entity}`, async () => (await harness(page, (h) => h.queries.length)) > 0 && (await last())?.entity === (entity === "All entities" ? undefined : entity), 5_000);
        }
        for (const [label, value] of QUERY_TYPES) {
          await editor.getByRole("radio", { name: label, exact: true }).check({ force: true });
          await waitUntil(`the query type ${label}`, async () => (await last())?.queryType === value, 5_000);
        }
        assert.ok((await harness(page, (h) => h.runs)) >= ENTITIES.length + QUERY_TYPES.length);
      });

      it("picks fields of the chosen entity and sets the rows for live rows", async () => {
        const editor = page.locator('[data-testid="harness-query"]');
        const last = () => harness(page, (h) => h.queries[h.queries.length - 1]);
        await editor.getByRole("radio", { name: "Live rows", exact: true }).check({ force: true });
        await pick(page, editor.locator("#nomnom-entity"), "Order");
        await waitUntil("Order", async () => (await last())?.entity === "Order", 5_000);
        // MultiSelect takes the id; MultiCombobox (11.6) leaves it off its input.
        await pick(page, editor.locator('#nomnom-fields, input[placeholder="every column"]').first(), "total");
        await page.keyboard.press("Escape");
        await waitUntil("the field", async () => JSON.stringify((await last())?.fields) === '["total"]', 5_000);
        await editor.locator("#nomnom-limit").fill("10");
        await editor.locator("#nomnom-limit").blur();
        await waitUntil("the rows", async () => (await last())?.limit === 10, 5_000);
      });

      it("returns frames for live rows, stats, insert rate and history", async () => {
        const collect = (query: Record<string, unknown>, ms: number) => page.evaluate(([q, t]) => (window as unknown as { harness: Harness }).harness.collect(q as never, t), [query, ms] as const);
        const live: FrameSummary[] = await collect({ refId: "A", queryType: "live", entity: "Order" }, 1500);
        const orders = live.find((f) => f.entity === "Order");
        assert.ok(orders && orders.length >= 3, JSON.stringify(live));
        assert.ok(orders.values.order_key?.includes(`O-${firstOrder}`), JSON.stringify(orders.values.order_key));
        const stats = await collect({ refId: "B", queryType: "stats" }, 1500);
        assert.ok(stats.some((f) => f.kind === "stats" && f.length >= 1), JSON.stringify(stats));
        const rate = await collect({ refId: "C", queryType: "rate", entity: "Order" }, 1500);
        assert.ok(rate.some((f) => f.kind === "rate" && f.fields.some((x) => x.type === "time") && f.fields.some((x) => x.type === "number")), JSON.stringify(rate));
        const history = await collect({ refId: "D", queryType: "history", entity: "Order" }, 1500);
        assert.ok(history.some((f) => f.kind === "history" && f.length >= 3), JSON.stringify(history));
      });

      it("shows no page error and no console error", async () => {
        assert.deepEqual(problems.page, []);
        const icons = new Set(await harness(page, (h) => h.iconNames));
        assert.ok(icons.size > 100, "this version's icon names");
        assert.deepEqual(problems.console.filter((c) => !grafanaOwnFile(c, icons)), []);
      });
    });
  });
});
