/**
 * The Entity stream panel as people look at it, on the preview page in Chromium, against a backend on a
 * real PostgreSQL reached through a TCP proxy (so the test can stop "the database" without touching the
 * shared server): idle entities show the database's counts; reloads keep the configuration's order; an
 * entity quieter than expected turns to the warning colour; a stopped database shows its banner and the
 * banner goes when it answers again; the column chooser and row expansion work; CSV of every column holds
 * the key and the time; at 390, 1024 and 1920 px in both themes nothing overflows, axe-core finds no
 * serious or critical violation, and (with NOMNOM_UPDATE_SCREENSHOT=1) the README's screenshots are
 * refreshed in docs/.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { TEST_IDS } from "../../src/constants.ts";
import { createTestDatabase, skipReason, type TestDatabase } from "../helpers/databases.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { contractSchema, insertOrders } from "../helpers/schema.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";
import { byTestId, cardRows, collectPageErrors, freePort, launchBrowser, status, waitUntil } from "./support/browser.ts";

const ENTITIES = ["Order", "OrderLineItem", "Customer", "Region"];
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SIZES: Array<[width: number, height: number]> = [
  [390, 844],
  [1024, 768],
  [1920, 1080],
];

/** The cards' entity names, top to bottom. */
const cardOrder = (page: Page) => page.$$eval(`[data-testid^="${TEST_IDS.panel.card("")}"]`, (cards, stem) => cards.map((c) => c.getAttribute("data-testid")!.slice(stem.length)), TEST_IDS.panel.card(""));
const statsText = async (page: Page, entity: string) => (await page.textContent(byTestId(TEST_IDS.panel.stats(entity)))) ?? "";

describe("the Entity stream panel on the preview, PostgreSQL behind a proxy", { skip: await skipReason("postgres") }, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let backend: BackendProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  /** Responses that failed (the health check's 503 while the database is down aside). */
  const failed: string[] = [];
  let next = 1;
  const insert = async (count: number) => {
    await db.dialect.execute(insertOrders(next, count));
    next += count;
  };

  before(async () => {
    ensureBuilt();
    db = await createTestDatabase("postgres");
    await db.dialect.execute(contractSchema("postgres"));
    // Idle tables: their rows are there before the backend starts, and nothing is inserted after.
    await db.dialect.execute(`CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, city text, created_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO customers (name, city) VALUES ('Ada', 'London'), ('Grace', 'Arlington'), ('Linus', 'Helsinki');
      CREATE TABLE regions (id bigserial PRIMARY KEY, name text NOT NULL);
      INSERT INTO regions (name) VALUES ('EUROPE');`);
    const target = new URL(db.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.listen();
    const through = new URL(db.url!);
    through.hostname = "127.0.0.1";
    through.port = String(proxy.port);
    const configFile = join(mkdtempSync(join(tmpdir(), "nomnom-panel-")), "nomnom-live.yaml");
    writeFileSync(
      configFile,
      `database:
  url: \${DATABASE_URL}
polling: { interval_ms: 100 }
server: { host: 127.0.0.1, stats_interval_ms: 500 }
entities:
  - { name: Order, table: orders, timestamp: created_at, display_fields: [order_key, total, d], max_records: 300 }
  - { name: OrderLineItem, table: order_line_items, display_fields: [order_key, qty] }
  - { name: Customer, table: customers, timestamp: created_at, display_fields: [name, city], alerts: { min_per_minute: 1 } }
  - { name: Region, table: regions, display_fields: [name] }
`,
    );
    backend = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", configFile], { PORT: String(await freePort()), DATABASE_URL: through.toString() });
    browser = await launchBrowser();
    // axe-core's source goes into the page as a script, which the page's own CSP (scripts from itself only) would refuse.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, bypassCSP: true });
    page = await context.newPage();
    errors = collectPageErrors(page);
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith(`${API_PREFIX}${REST.health}`)) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(backend.url + "/");
    await page.waitForSelector(byTestId(TEST_IDS.panel.card("Region")), { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await backend?.stop();
    await proxy?.cut();
    await db?.drop();
  });

  it("shows an idle entity's rows as the database counts them: 3 rows, 1 row", async () => {
    await waitUntil("the statistics", async () => (await statsText(page, "Region")).includes("row"));
    await new Promise((r) => setTimeout(r, 1200)); // a couple of stats updates: still the database's count
    assert.deepEqual([(await db.dialect.countRows({ table: "customers", key: "id" })).count, (await db.dialect.countRows({ table: "regions", key: "id" })).count], [3, 1], "COUNT(*)");
    assert.match(await statsText(page, "Customer"), /(^|\D)3 rows/);
    assert.match(await statsText(page, "Region"), /(^|\D)1 row(?!s)/);
    assert.equal((await cardRows(page, "Customer")).length, 3);
    assert.equal(await status(page), "connected");
  });

  it("keeps the configuration's order over reloads", async () => {
    const configured = ((await (await fetch(`${backend.url}${API_PREFIX}${REST.entities}`)).json()) as Array<{ name: string }>).map((e) => e.name);
    assert.deepEqual(configured, ENTITIES);
    assert.deepEqual(await cardOrder(page), ENTITIES);
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await page.waitForSelector(byTestId(TEST_IDS.panel.card("Region")), { timeout: 30_000 });
      assert.deepEqual(await cardOrder(page), ENTITIES);
    }
  });

  it("turns an entity quieter than expected to the warning colour", async () => {
    await page.goto(`${backend.url}/?options=${encodeURIComponent(JSON.stringify({ quietAfterSeconds: 3 }))}`);
    await page.waitForSelector(byTestId(TEST_IDS.panel.card("Order")), { timeout: 30_000 });
    await insert(3);
    const last = byTestId(TEST_IDS.panel.lastInsert("Order"));
    await waitUntil("the insert seen", async () => /last insert (just now|[0-2] s ago)/.test((await page.textContent(last)) ?? ""));
    assert.equal(await page.getAttribute(last, "data-quiet"), "false");
    const calm = await page.$eval(last, (el) => getComputedStyle(el).color);
    await waitUntil("the warning", async () => (await page.getAttribute(last, "data-quiet")) === "true", 10_000);
    assert.match((await page.textContent(last)) ?? "", /quieter than expected/);
    assert.notEqual(await page.$eval(last, (el) => getComputedStyle(el).color), calm);
  });

  it("keeps a card at its newest row as rows arrive; without auto-scroll the view stays where one reads", async () => {
    const table = `${byTestId(TEST_IDS.panel.card("Order"))} table`;
    const scrolled = () => page.$eval(table, (t) => t.parentElement!.scrollTop);
    for (const autoScroll of [true, false]) {
      await page.goto(`${backend.url}/?options=${encodeURIComponent(JSON.stringify({ autoScroll }))}`);
      await page.waitForSelector(byTestId(TEST_IDS.panel.card("Order")), { timeout: 30_000 });
      if ((await cardRows(page, "Order")).length < 40) await insert(40);
      await waitUntil("rows enough to scroll", async () => (await cardRows(page, "Order")).length >= 40);
      await page.$eval(table, (t) => (t.parentElement!.scrollTop = 200));
      await waitUntil("scrolled", async () => (await scrolled()) > 0);
      await insert(1);
      await waitUntil("the new row", async () => (await cardRows(page, "Order"))[0]![0] === `O-${next - 1}`);
      if (autoScroll) await waitUntil("back at the newest row", async () => (await scrolled()) === 0, 5_000);
      else assert.ok((await scrolled()) > 0, "the view stays");
    }
  });

  it("chooses columns, and opens a row to every column and its JSON", async () => {
    await page.goto(backend.url + "/");
    await page.waitForSelector(byTestId(TEST_IDS.panel.card("Order")), { timeout: 30_000 });
    const card = byTestId(TEST_IDS.panel.card("Order"));
    assert.deepEqual(await page.$$eval(`${card} thead th`, (ths) => ths.map((t) => t.textContent)), ["order_key", "total", "d"]);
    await page.click(byTestId(TEST_IDS.panel.columns("Order")));
    const chooser = byTestId(TEST_IDS.panel.columnChooser("Order"));
    await page.locator(chooser).getByLabel("id", { exact: true }).check({ force: true });
    await page.locator(chooser).getByLabel("d", { exact: true }).uncheck({ force: true });
    await waitUntil("the chosen columns", async () => (await page.$$eval(`${card} thead th`, (ths) => ths.map((t) => t.textContent))).join() === "id,order_key,total");
    const [newest] = await cardRows(page, "Order");
    assert.deepEqual(newest!.slice(1), [`O-${next - 1}`, ((next - 1) * 1.5).toFixed(2)]);

    await page.locator(`${card} ${byTestId(TEST_IDS.panel.expand)}`).first().click();
    const details = page.locator(`${card} ${byTestId(TEST_IDS.panel.rowDetails)}`);
    const names = await details.locator("dt").allTextContents();
    assert.deepEqual(names, ["id", "order_key", "total", "big", "d", "created_at"]);
    await details.getByRole("button", { name: "Show as JSON" }).click();
    const json = JSON.parse((await details.locator("pre").textContent()) ?? "{}") as Record<string, unknown>;
    assert.equal(json.order_key, `O-${next - 1}`);
    assert.equal(json.big, "9007199254740993", "a 64-bit integer exactly");
    assert.match(String(json.created_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("downloads CSV of every column, with the key and the time", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(byTestId(TEST_IDS.panel.exportCsvAll("Order")))]);
    assert.match(download.suggestedFilename(), /^Order-all-columns-\d{4}-\d{2}-\d{2}T[\d-]+Z\.csv$/);
    const file = join(mkdtempSync(join(tmpdir(), "nomnom-csv-")), download.suggestedFilename());
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
    assert.equal(lines[0], "id,order_key,total,big,d,created_at");
    const newest = lines[1]!.split(",");
    assert.equal(newest[1], `O-${next - 1}`);
    assert.match(newest[0]!, /^\d+$/);
    assert.equal(newest[3], "9007199254740993");
    assert.match(newest[5]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(lines.length, 1 + next - 1);
  });

  it("shows a banner while the database does not answer, and drops it once it does", async () => {
    await proxy.cut();
    try {
      await waitUntil("the database banner", async () => (await page.$(byTestId(TEST_IDS.panel.databaseBanner))) !== null, 30_000);
      assert.match((await page.textContent(byTestId(TEST_IDS.panel.databaseBanner))) ?? "", /The database does not answer/);
      assert.equal(await status(page), "connected", "the backend itself still answers");
    } finally {
      await proxy.listen();
    }
    await waitUntil("the banner gone", async () => (await page.$(byTestId(TEST_IDS.panel.databaseBanner))) === null, 30_000).catch(async (e: unknown) => {
      const health = await (await fetch(`${backend.url}${API_PREFIX}${REST.health}`)).text().catch((f: unknown) => String(f));
      const banner = await page.textContent(byTestId(TEST_IDS.panel.databaseBanner)).catch(() => null);
      throw new Error(`${String(e)}\nbanner: ${banner}\nhealth: ${health}\nbackend: ${backend.output().slice(-1500)}`);
    });
    await insert(2);
    await waitUntil("rows again", async () => (await cardRows(page, "Order"))[0]![1] === `O-${next - 1}`);
  });

  it("fits 390, 1024 and 1920 px in both themes, with no serious accessibility violation; screenshots for the README", async () => {
    // Orders keep arriving meanwhile, so the busy card looks busy.
    let writing = true;
    let inFlight: Promise<unknown> = Promise.resolve();
    const writer = setInterval(() => {
      if (writing) inFlight = insert(2).catch(() => {});
    }, 400);
    try {
      for (const theme of ["light", "dark"] as const) {
        for (const [width, height] of SIZES) {
          await page.setViewportSize({ width, height });
          await page.goto(`${backend.url}/?theme=${theme}`);
          await page.waitForSelector(byTestId(TEST_IDS.panel.card("Region")), { timeout: 30_000 });
          await waitUntil("a busy Order card", async () => (await cardRows(page, "Order")).length >= 10 && /\d/.test(await statsText(page, "Order")));
          await page.waitForTimeout(3000); // fonts, icons and the trend in place
          const where = `${width} px, ${theme}`;
          assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width, `${where}: nothing wider than the window`);
          const clipped = await page.$$eval("header", (hs) => hs.filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent));
          assert.deepEqual(clipped, [], `${where}: no header cut off`);
          // axe judges one still frame: no row arriving, and no new-row flash halfway through its fade.
          // On a loaded machine an insert begun just before may commit, and its row arrive, well after: wait
          // for the last insert, then until the card's rows hold still for a second, before the flashes are waited out.
          writing = false;
          await inFlight;
          await waitUntil("the Order card's rows holding still", async () => {
            const before = JSON.stringify(await cardRows(page, "Order"));
            await page.waitForTimeout(1000);
            return JSON.stringify(await cardRows(page, "Order")) === before;
          });
          // A row that scrolls away cancels its flash: its `finished` rejects, which is as good as finished here.
          await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))));
          await page.evaluate(AXE);
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; html: string; failureSummary?: string }> }> }> } }).axe;
            const r = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
            // Each node with its markup and axe's reason (for contrast: the colours and the ratio found).
            return r.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} ${n.html.slice(0, 200)} ${n.failureSummary ?? ""}`).slice(0, 3).join(", ")}`);
          });
          assert.deepEqual(violations, [], `${where}: axe-core`);
          writing = true;
          const shot = join(mkdtempSync(join(tmpdir(), "nomnom-shot-")), "panel.png");
          await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
          await page.screenshot({ path: shot });
          assert.deepEqual([...readFileSync(shot).subarray(1, 4)], [0x50, 0x4e, 0x47]);
          if (process.env.NOMNOM_UPDATE_SCREENSHOT === "1") copyFileSync(shot, join(ROOT, "docs", `panel-${width}-${theme}.png`));
        }
      }
    } finally {
      clearInterval(writer);
    }
    // Grafana's fonts as Grafana serves them (Inter, from public/fonts/inter/): nothing the page asks for is missing.
    assert.ok(await page.evaluate(() => [...document.fonts].some((f) => f.family.replace(/"/g, "") === "Inter" && f.status === "loaded")), "Inter loaded");
    assert.deepEqual(failed, []);
    assert.deepEqual(errors, []);
  });
});
