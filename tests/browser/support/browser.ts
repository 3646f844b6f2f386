/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags this machine
 * needs; `launch()` gives every run a fresh profile directory of its own.
 */
import { createServer } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { TEST_IDS } from "../../../src/constants.ts";

export const CHROMIUM = process.env.NOMNOM_CHROMIUM ?? "/usr/bin/chromium";

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...extraArgs],
  });
}

/** A free TCP port on the loopback (bound, then released), so a restarted backend comes back where the page expects it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

/** Errors the page reports, so a test can show them when it fails. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** The CSS selector of an element by its test id (TEST_IDS, src/constants.ts). */
export function byTestId(id: string): string {
  return `[data-testid="${id}"]`;
}

/** The texts of the rows a card shows, top (newest) first; each row as its cells. */
export async function cardRows(page: Page, entity: string): Promise<string[][]> {
  return page.$$eval(`${byTestId(TEST_IDS.panel.card(entity))} ${byTestId(TEST_IDS.panel.row)}`, (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}

export async function status(page: Page): Promise<string | null> {
  return page.getAttribute(byTestId(TEST_IDS.panel.status), "data-status");
}

export async function waitUntil(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
