/**
 * The preview page in Chromium — the built plugin modules loaded as Grafana loads them, the panel fed by
 * the datasource — against a backend process on a real PostgreSQL (its own schema): inserted rows
 * appear; pause holds the view and resume catches up with nothing missing; the search narrows; the CSV
 * export downloads exactly what is shown; killing and restarting the backend shows `reconnecting`, then
 * every row. Also the seed checklist's two tabs receiving the same updates.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import { TEST_IDS } from "../../src/constants.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { byTestId, cardRows, collectPageErrors, freePort, launchBrowser, status, waitUntil } from "./support/browser.ts";

const SEARCH = `input${byTestId(TEST_IDS.panel.search)}, ${byTestId(TEST_IDS.panel.search)} input`;
const keys = (rows: string[][]) => rows.map((r) => r[0]);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `O-${to - i}`); // newest first

describe("preview page on PostgreSQL", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let backend: BackendProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let port: number;
  let configFile: string;
  const start = () => spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", configFile], { PORT: String(port), DATABASE_URL: db.url! });

  before(async () => {
    ensureBuilt();
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    const dir = mkdtempSync(join(tmpdir(), "nomnom-browser-"));
    configFile = join(dir, "nomnom-live.yaml");
    writeFileSync(
      configFile,
      `database:
  url: \${DATABASE_URL}
polling: { interval_ms: 100 }
server: { host: 127.0.0.1, stats_interval_ms: 500 }
entities:
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total, d], max_records: 1000, color: "#3b82f6" }
  - { name: OrderLineItem, table: order_line_items, display_fields: [order_key, qty] }
`,
    );
    port = await freePort();
    backend = await start();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 820 }, acceptDownloads: true });
    errors = collectPageErrors(page);
    await page.goto(backend.url + "/");
    await page.waitForSelector(byTestId(TEST_IDS.panel.card("Order")), { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await backend?.stop();
    await db?.drop();
  });

  it("loads the plugin's AMD modules with every external they import provided by the host", async () => {
    const provided = (await page.evaluate(() => (window as unknown as { nomnomPreview: { provided: string[]; entities: string[] } }).nomnomPreview)) ?? { provided: [], entities: [] };
    for (const file of ["module.js", "datasource/module.js", "panel/module.js"]) {
      const deps = JSON.parse(/define\((\[[^\]]*\])/.exec(readFileSync(join(ROOT, "dist", file), "utf8"))![1]!) as string[];
      for (const d of deps) assert.ok(provided.provided.includes(d), `${file} imports ${d}, which the preview host does not provide`);
    }
    assert.deepEqual(provided.entities, ["Order", "OrderLineItem"]);
    assert.equal(await status(page), "connected");
    assert.deepEqual(errors, []);
  });

  it("shows rows inserted in the database, in every open tab", async () => {
    const second = await browser.newPage();
    await second.goto(backend.url + "/");
    await second.waitForSelector(byTestId(TEST_IDS.panel.card("Order")));
    await db.dialect.execute(insertOrders(1, 5));
    for (const p of [page, second]) await waitUntil("5 orders", async () => (await cardRows(p, "Order")).length === 5);
    assert.deepEqual(keys(await cardRows(page, "Order")), range(1, 5));
    assert.deepEqual(await cardRows(second, "Order"), await cardRows(page, "Order"));
    assert.deepEqual((await cardRows(page, "Order"))[0], ["O-5", "7.50", "2024-10-29"]);
    await second.close();
  });

  it("pause holds what is shown; resume catches up with nothing missing", async () => {
    await page.click(byTestId(TEST_IDS.panel.pause));
    await db.dialect.execute(insertOrders(6, 10));
    await waitUntil("the paused count", async () => ((await page.textContent(byTestId(TEST_IDS.panel.pause))) ?? "").includes("Resume (10 new)"));
    assert.deepEqual(keys(await cardRows(page, "Order")), range(1, 5), "nothing moves while paused");
    await page.click(byTestId(TEST_IDS.panel.pause));
    assert.deepEqual(keys(await cardRows(page, "Order")), range(1, 15));
  });

  it("the search narrows the rows; entity toggles hide cards", async () => {
    await page.fill(SEARCH, "O-1");
    await waitUntil("the filter", async () => (await cardRows(page, "Order")).length === 7);
    assert.deepEqual(keys(await cardRows(page, "Order")), ["O-15", "O-14", "O-13", "O-12", "O-11", "O-10", "O-1"]);
    await page.click(byTestId(TEST_IDS.panel.toggle("OrderLineItem")));
    assert.equal(await page.$(byTestId(TEST_IDS.panel.card("OrderLineItem"))), null);
    await page.click(byTestId(TEST_IDS.panel.toggle("OrderLineItem")));
    assert.notEqual(await page.$(byTestId(TEST_IDS.panel.card("OrderLineItem"))), null);
  });

  it("CSV export downloads exactly the rows shown", async () => {
    const shown = await cardRows(page, "Order");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(byTestId(TEST_IDS.panel.exportCsv("Order")))]);
    assert.match(download.suggestedFilename(), /^Order-\d{4}-\d{2}-\d{2}T[\d-]+Z\.csv$/);
    const file = join(mkdtempSync(join(tmpdir(), "nomnom-csv-")), download.suggestedFilename());
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
    assert.equal(lines[0], "order_key,total,d");
    assert.deepEqual(lines.slice(1).map((l) => l.split(",")), shown);
    assert.equal(lines.length, 1 + 7);
    await page.fill(SEARCH, "");
    await waitUntil("the filter cleared", async () => (await cardRows(page, "Order")).length === 15);
  });

  it("killing and restarting the backend shows reconnecting, then every row, none twice", async () => {
    process.kill(-backend.child.pid!, "SIGKILL");
    await waitUntil("'reconnecting'", async () => (await status(page)) === "reconnecting");
    assert.match((await page.textContent(byTestId(TEST_IDS.panel.banner))) ?? "", /Connection lost, reconnecting/);
    await db.dialect.execute(insertOrders(16, 10)); // written while the backend is down
    backend = await start();
    await waitUntil("'connected' again", async () => (await status(page)) === "connected", 60_000);
    await db.dialect.execute(insertOrders(26, 5)); // written after the restart
    await waitUntil("all 30 orders", async () => (await cardRows(page, "Order")).length >= 30);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(keys(await cardRows(page, "Order")), range(1, 30));
    assert.equal(await page.$(byTestId(TEST_IDS.panel.banner)), null);
  });

  it("follows Grafana's light and dark themes", async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const card = () => page.$eval(byTestId(TEST_IDS.panel.card("Order")), (el) => getComputedStyle(el).backgroundColor);
    const before = [await bg(), await card()];
    await page.click(byTestId(TEST_IDS.preview.theme));
    await waitUntil("the other theme", async () => (await bg()) !== before[0]);
    assert.notEqual(await card(), before[1]);
    await page.click(byTestId(TEST_IDS.preview.theme));
    await waitUntil("the theme back", async () => (await bg()) === before[0]);
    assert.equal(await card(), before[1]);
    assert.deepEqual(errors, []);
  });
});
