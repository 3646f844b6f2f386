/**
 * The live preview page at `/`: the built plugin (dist/, served under public/plugins/nomnom-live-app/ as
 * Grafana serves plugin files) and the preview host bundle (preview/dist/), which loads the plugin's AMD
 * modules with the real @grafana/* packages and shows the Entity stream panel fed by the datasource.
 * The bundle's files have content-hashed names (cached for a year, sent precompressed); the HTML naming
 * them, and the plugin's own files, are revalidated on every visit.
 *
 * The page talks to this backend directly, so it is only served while `server.auth_tokens` is empty: with
 * tokens, a browser would need the token to get WebSocket tickets, and the preview never holds one.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, extname, join, normalize, sep } from "node:path";
import type { Context, Hono } from "hono";
import { compress } from "hono/compress";
import type { Backend } from "../backend.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import type { RouteExtension } from "./app.ts";

const ROOT = PACKAGE_ROOT;
const DIST = join(ROOT, "dist");
const PREVIEW_DIST = join(ROOT, "preview", "dist");
/** @grafana/ui's icon files, which Grafana serves at public/build/img/icons/ (before Grafana 11: public/img/icons/). */
const ICONS = join(ROOT, "node_modules", "@grafana", "ui", "dist", "public", "img", "icons");
const ICONS_PATHS = ["/public/build/img/icons", "/public/img/icons"];
/** The Inter font files Grafana's global styles ask for at public/fonts/inter/ (Grafana serves them itself), from the inter-ui package. */
const INTER = join(ROOT, "node_modules", "inter-ui", "web");
const INTER_PATH = "/public/fonts/inter";
export const PLUGIN_PATH = "/public/plugins/nomnom-live-app";
/** The build's list of the page's hashed files, and the page's entry in it (preview/src/paths.ts names both). */
const MANIFEST = join(PREVIEW_DIST, "manifest.json");
const ENTRY = "preview";
/** `vendors.0123456789abcdef.js`: names that change whenever their content does (preview/webpack.config.ts). */
const HASHED = /\.[0-9a-f]{16}\.[a-z0-9]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Precompressed siblings the preview build writes (`.br`, `.gz`), in order of preference. */
const ENCODINGS: Array<[encoding: string, suffix: string]> = [
  ["br", ".br"],
  ["gzip", ".gz"],
];

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The page's scripts come only from this server; styles are injected at run time by emotion. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The plugin files the host fetches once its bundle has run (preview/src/host.tsx: the manifests, then the
 * three modules), asked for at once instead: they arrive while the bundle is still being evaluated.
 */
const PRELOADS = [
  ...["plugin.json", "datasource/plugin.json"].map((f) => `<link rel="preload" href="${PLUGIN_PATH}/${f}" as="fetch" crossorigin>`),
  ...["module.js", "datasource/module.js", "panel/module.js"].map((f) => `<link rel="preload" href="${PLUGIN_PATH}/${f}" as="script">`),
].join("\n");

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${PLUGIN_PATH}/img/logo.svg">${head ? `\n${head}` : ""}
</head>
<body>
${body}
</body>
</html>
`;
}

function notice(title: string, text: string): string {
  return page(
    title,
    `<main style="font-family: system-ui, sans-serif; max-width: 44rem; margin: 4rem auto; line-height: 1.5">
<h1 style="font-size: 1.4rem">${title}</h1>
${text}
<p>The API is at <a href="/api/health">/api/health</a>, the WebSocket at <code>/ws</code>, metrics at <a href="/metrics">/metrics</a>.</p>
</main>`,
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Whether the request's Accept-Encoding allows `encoding` (listed, and not with q=0). */
function accepts(header: string | undefined, encoding: string): boolean {
  return (header ?? "").split(",").some((part) => {
    const [name, ...params] = part.trim().split(";");
    return name?.trim().toLowerCase() === encoding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** The page's files (scripts, and the packages' style sheets), from the build's manifest; null when the preview is not built. */
async function pageFiles(): Promise<string[] | null> {
  try {
    const manifest = JSON.parse(await readFile(MANIFEST, "utf8")) as { entries: Record<string, string[]> };
    const files = manifest.entries[ENTRY] ?? [];
    return files.some((f) => f.endsWith(".js")) ? files : null;
  } catch {
    return null;
  }
}

/**
 * A file under `dir` named by the request path after `prefix`; never outside `dir`. A path that does not
 * decode (`/preview/%`, `%ff`) is a bad request. Hashed names are cached for a year; anything else is
 * revalidated (ETag) on every use. With `precompressed`, a `.br` / `.gz` sibling is sent as it is.
 */
async function serveFrom(c: Context, dir: string, prefix: string, precompressed = false): Promise<Response> {
  // The raw path, decoded once here (Hono's c.req.path is already partly decoded).
  const raw = new URL(c.req.url).pathname;
  if (!raw.startsWith(prefix + "/")) return c.text("not found", 404);
  let rel: string;
  try {
    rel = decodeURIComponent(raw.slice(prefix.length)).replace(/^\/+/, "");
  } catch {
    return c.text("bad request: the path is not valid percent-encoding", 400);
  }
  const file = normalize(join(dir, rel));
  if (rel.includes("\0") || !file.startsWith(dir + sep) || !(await isFile(file))) return c.text("not found", 404);
  const immutable = HASHED.test(basename(file));
  const headers: Record<string, string> = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": immutable ? IMMUTABLE : "no-cache" };
  if (!immutable) {
    const info = await stat(file);
    headers.ETag = `W/"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    if (c.req.header("If-None-Match") === headers.ETag) return c.body(null, 304, headers);
  }
  if (precompressed) {
    headers.Vary = "Accept-Encoding";
    for (const [encoding, suffix] of ENCODINGS) {
      if (!accepts(c.req.header("Accept-Encoding"), encoding) || !(await isFile(file + suffix))) continue;
      return c.body(new Uint8Array(await readFile(file + suffix)), 200, { ...headers, "Content-Encoding": encoding });
    }
  }
  return c.body(new Uint8Array(await readFile(file)), 200, headers);
}

export const previewRoutes: RouteExtension = (app: Hono, backend: Backend) => {
  app.get("/", async (c) => {
    c.header("Content-Security-Policy", CSP);
    // Revalidated on every visit: it names the current build's hashed files.
    c.header("Cache-Control", "no-cache");
    if (backend.config.server.auth_tokens.length > 0) {
      return c.html(
        notice(
          "nomnom-live — preview disabled",
          `<p>This backend requires a bearer token (<code>server.auth_tokens</code> is set), so the live preview page is not served: it would need the token in the browser to get WebSocket tickets.</p>
<p>Use the plugin in Grafana instead — its datasource keeps the token in Grafana and hands the browser only single-use tickets — or run the preview on a backend without tokens (for example <code>npm start</code>).</p>`,
        ),
      );
    }
    const files = await pageFiles();
    if (!files || !(await isFile(join(DIST, "datasource", "module.js")))) {
      return c.html(notice("nomnom-live — the plugin is not built", "<p>Run <code>npm run build</code> (it runs on <code>npm install</code>) to build the plugin into <code>dist/</code> and the preview page, then reload.</p>"), 503);
    }
    const scripts = files.filter((f) => f.endsWith(".js")).map((f) => `<script src="/preview/${f}"></script>`);
    // (uPlot's, which Grafana's Sparkline needs, among them)
    const styles = files.filter((f) => f.endsWith(".css")).map((f) => `<link rel="stylesheet" href="/preview/${f}">`);
    return c.html(page("nomnom-live — live preview", `<div id="root">Loading the plugin…</div>\n${scripts.join("\n")}`, [...styles, PRELOADS].join("\n")));
  });
  // The plugin's files and the icons are not precompressed (dist/ is the plugin as Grafana installs it): gzip as they go.
  for (const path of [PLUGIN_PATH, ...ICONS_PATHS]) app.use(`${path}/*`, compress());
  app.get("/preview/*", (c) => serveFrom(c, PREVIEW_DIST, "/preview", true));
  app.get(`${PLUGIN_PATH}/*`, (c) => serveFrom(c, DIST, PLUGIN_PATH));
  for (const path of ICONS_PATHS) app.get(`${path}/*`, (c) => serveFrom(c, ICONS, path));
  app.get(`${INTER_PATH}/*`, (c) => serveFrom(c, INTER, INTER_PATH));
};
