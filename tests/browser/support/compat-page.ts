/**
 * What the compatibility matrix (tests/browser/grafana-compat.test.ts) does in and around its pages:
 * serves a Grafana line's build in place of the preview's, with the real page's headers; collects page
 * and console errors; picks options in @grafana/ui's pickers the same way across versions; and reads
 * what the plugin imports, to compare with what each version provides.
 */
import { readdirSync, readFileSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import type { BrowserContext, Locator, Page, Route } from "playwright-core";
import { ROOT } from "../../helpers/process.ts";
import type { CompatBuild } from "./compat.ts";
import type { Harness } from "./grafana-harness.tsx";

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json", ".ttf": "font/ttf", ".woff2": "font/woff2", ".svg": "image/svg+xml" };

/** The plugin's modules and the AMD dependencies each declares. */
export function amdDependencies(): Record<string, string[]> {
  return Object.fromEntries(
    ["module.js", "datasource/module.js", "panel/module.js"].map((f) => [f, JSON.parse(/define\((\[[^\]]*\])/.exec(readFileSync(join(ROOT, "dist", f), "utf8"))![1]!) as string[]]),
  );
}

/** The names src/ imports at run time (not `type`) from Grafana's packages, by package. */
export function namedImports(): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  const dir = join(ROOT, "src");
  for (const file of readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.tsx?$/.test(f))) {
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(/import\s+\{([^}]*)\}\s+from\s+"(@grafana\/(?:data|ui|runtime))"/g)) {
      const names = m[1]!.split(",").map((n) => n.trim()).filter((n) => n && !n.startsWith("type "));
      for (const n of names) (out[m[2]!] ??= new Set()).add(n.split(/\s+as\s+/)[0]!);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** Serves the line's build at /preview/ and its pages: the preview (`/`) and the harness (`/harness`), with the real page's headers (its CSP). */
export async function serveBuild(context: BrowserContext, origin: string, build: CompatBuild): Promise<void> {
  const files = (entry: string, ext: string) => build.entries[entry]!.filter((f) => f.endsWith(ext));
  const scripts = (entry: string) => files(entry, ".js").map((f) => `<script src="/preview/${f}"></script>`).join("\n");
  const styles = (entry: string) => files(entry, ".css").map((f) => `<link rel="stylesheet" href="/preview/${f}">`).join("\n");
  await context.route(`${origin}/preview/**`, async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname.slice("/preview/".length));
    const file = normalize(join(build.dir, rel));
    if (!file.startsWith(build.dir + sep)) return route.fulfill({ status: 404 });
    try {
      await route.fulfill({ status: 200, body: readFileSync(file), headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" } });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  const page = (entry: string) => async (route: Route) => {
    const real = await route.fetch({ url: `${origin}/` });
    const html = (await real.text())
      .replace(/<script src="\/preview\/[^"]+"><\/script>\n?|<link rel="stylesheet" href="\/preview\/[^"]+">\n?/g, "")
      .replace("</head>", `${styles(entry)}\n</head>`)
      .replace("</body>", `${scripts(entry)}\n</body>`);
    await route.fulfill({ response: real, body: html });
  };
  await context.route(`${origin}/`, page("preview"));
  await context.route(`${origin}/harness`, page("harness"));
}

export interface Problems {
  page: string[];
  /** Console errors as the page logged them: the text and the URL of what logged it (or failed to load). */
  console: Array<{ text: string; url: string }>;
}

export function watch(page: Page, problems: Problems): void {
  page.on("pageerror", (e) => problems.page.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") problems.console.push({ text: m.text(), url: m.location().url });
  });
}

/**
 * Whether a console error is a file Grafana itself serves that the stand-in host lacks: Grafana's fonts
 * (public/fonts/), and the icons of that Grafana's icon set (`iconNames`, @grafana/data's
 * availableIconsIndex) that @grafana/ui's package does not carry (it ships a subset of the SVGs).
 */
export function grafanaOwnFile(error: { text: string; url: string }, iconNames: Set<string>): boolean {
  if (!/^Failed to load resource/.test(error.text)) return false;
  const icon = /\/img\/icons\/unicons\/([\w-]+)\.svg$/.exec(error.url);
  return /\/public\/fonts\//.test(error.url) || (icon !== null && iconNames.has(icon[1]!));
}

/**
 * Chooses `label` in a picker as a user does: types it, then clicks its option — the same steps on
 * Select (react-select: options labelled "Select option") and on Combobox (options of role "option").
 */
export async function pick(page: Page, input: Locator, label: string): Promise<void> {
  await input.click();
  await input.fill(label);
  // (Not the "custom value" option that both offer for typed text.)
  await page.locator('[role="option"], [aria-label="Select option"]').filter({ hasText: label }).filter({ hasNotText: /custom value/i }).first().click();
}

/** Runs `fn` in the harness page with its `window.harness`. */
export async function inHarness<T>(page: Page, fn: (h: Harness) => T | Promise<T>): Promise<T> {
  const handle = await page.evaluateHandle(() => (window as unknown as { harness: Harness }).harness);
  try {
    return await handle.evaluate(fn);
  } finally {
    await handle.dispose();
  }
}
