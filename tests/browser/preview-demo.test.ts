/**
 * `npm start`'s page (the demo on the embedded PGlite) in Chromium: the panel shows both TPC-H entities
 * with rows arriving from the demo writer, their totals and rates; and a backend with auth tokens serves
 * no preview, saying why, instead of exposing its API to the page.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { ensureBuilt } from "../../.config/ensure-built.mjs";
import { API_PREFIX, REST } from "../../contract/index.ts";
import { TEST_IDS } from "../../src/constants.ts";
import { ROOT, spawnBackend, type BackendProcess } from "../helpers/process.ts";
import { byTestId, cardRows, collectPageErrors, launchBrowser, status, waitUntil } from "./support/browser.ts";

describe("the demo's preview page", () => {
  let demo: BackendProcess;
  let browser: Browser;
  before(async () => {
    ensureBuilt();
    demo = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "demo", "--rate", "20"], { PORT: "0" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it("prints its address and shows Order and OrderLineItem streaming, with totals and rates", async () => {
    assert.match(demo.output(), /nomnom-live is running: http:\/\/127\.0\.0\.1:\d+\//);
    const page = await browser.newPage({ viewport: { width: 1400, height: 760 }, colorScheme: "dark" });
    const errors = collectPageErrors(page);
    await page.goto(demo.url + "/");
    await page.waitForSelector(byTestId(TEST_IDS.panel.card("OrderLineItem")), { timeout: 60_000 });
    assert.equal(await page.title(), "nomnom-live — live preview");
    await waitUntil("orders from the demo writer", async () => (await cardRows(page, "Order")).length >= 5);
    const first = (await cardRows(page, "Order")).length;
    await waitUntil("more orders", async () => (await cardRows(page, "Order")).length > first + 5);
    assert.ok((await cardRows(page, "OrderLineItem")).length > 0);
    const newest = (await cardRows(page, "Order"))[0]![0]!;
    assert.match(newest, /^ORDER-\d+$/);
    await waitUntil("stats", async () => /\d+ rows/.test((await page.textContent(byTestId(TEST_IDS.panel.stats("Order"))).catch(() => "")) ?? ""));
    assert.equal(await status(page), "connected");

    // The README's picture of the live panel: `NOMNOM_UPDATE_SCREENSHOT=1 npm run test:browser` refreshes docs/panel.png.
    await page.evaluate((search) => document.querySelector<HTMLElement>(search)?.blur(), byTestId(TEST_IDS.panel.search));
    const shot = join(mkdtempSync(join(tmpdir(), "nomnom-shot-")), "panel.png");
    await page.screenshot({ path: shot });
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(statSync(shot).size > 20_000, "a picture, not a blank page");
    if (process.env.NOMNOM_UPDATE_SCREENSHOT === "1") copyFileSync(shot, join(ROOT, "docs", "panel.png"));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("a backend with auth tokens", () => {
  let secured: BackendProcess;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "nomnom-tokens-"));
    const file = join(dir, "nomnom-live.yaml");
    writeFileSync(file, `server: { host: 127.0.0.1, auth_tokens: ["a-token-of-at-least-16-chars"] }\n`);
    secured = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", file], { PORT: "0" });
  });
  after(async () => {
    await secured?.stop();
  });

  it("serves no preview and says why; the API stays closed to the page", async () => {
    const res = await fetch(secured.url + "/");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<title>nomnom-live — preview disabled<\/title>/);
    assert.match(html, /server\.auth_tokens<\/code> is set/);
    assert.doesNotMatch(html, /preview\.js/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.equal((await fetch(secured.url + API_PREFIX + REST.entities)).status, 401);
  });
});
