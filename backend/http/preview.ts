/**
 * The live preview page at `/`: the built plugin (dist/, served under public/plugins/nomnom-live-app/ as
 * Grafana serves plugin files) and the preview host bundle (preview/dist/), which loads the plugin's AMD
 * modules with the real @grafana/* packages and shows the Entity stream panel fed by the datasource.
 *
 * The page talks to this backend directly, so it is only served while `server.auth_tokens` is empty: with
 * tokens, a browser would need the token to get WebSocket tickets, and the preview never holds one.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono } from "hono";
import type { Backend } from "../backend.ts";
import type { RouteExtension } from "./app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIST = join(ROOT, "dist");
const PREVIEW_DIST = join(ROOT, "preview", "dist");
/** @grafana/ui's icon files, which Grafana serves at public/build/img/icons/. */
const ICONS = join(ROOT, "node_modules", "@grafana", "ui", "dist", "public", "img", "icons");
const ICONS_PATH = "/public/build/img/icons";
export const PLUGIN_PATH = "/public/plugins/nomnom-live-app";

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

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${PLUGIN_PATH}/img/logo.svg">
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

/** A file under `dir` named by the request path after `prefix`; never outside `dir`. */
async function serveFrom(c: Context, dir: string, prefix: string): Promise<Response> {
  const rel = decodeURIComponent(c.req.path.slice(prefix.length)).replace(/^\/+/, "");
  const file = normalize(join(dir, rel));
  if (!file.startsWith(dir + sep) || !(await isFile(file))) return c.text("not found", 404);
  const body = new Uint8Array(await readFile(file));
  return c.body(body, 200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
}

export const previewRoutes: RouteExtension = (app: Hono, backend: Backend) => {
  app.get("/", async (c) => {
    c.header("Content-Security-Policy", CSP);
    c.header("Cache-Control", "no-store");
    if (backend.config.server.auth_tokens.length > 0) {
      return c.html(
        notice(
          "nomnom-live — preview disabled",
          `<p>This backend requires a bearer token (<code>server.auth_tokens</code> is set), so the live preview page is not served: it would need the token in the browser to get WebSocket tickets.</p>
<p>Use the plugin in Grafana instead — its datasource keeps the token in Grafana and hands the browser only single-use tickets — or run the preview on a backend without tokens (for example <code>npm start</code>).</p>`,
        ),
      );
    }
    const built = (await isFile(join(DIST, "datasource", "module.js"))) && (await isFile(join(PREVIEW_DIST, "preview.js")));
    if (!built) {
      return c.html(notice("nomnom-live — the plugin is not built", "<p>Run <code>npm run build</code> (it runs on <code>npm install</code>) to build the plugin into <code>dist/</code> and the preview page, then reload.</p>"), 503);
    }
    return c.html(page("nomnom-live — live preview", `<div id="root">Loading the plugin…</div>\n<script src="/preview/preview.js"></script>`));
  });
  app.get("/preview/*", (c) => serveFrom(c, PREVIEW_DIST, "/preview"));
  app.get(`${PLUGIN_PATH}/*`, (c) => serveFrom(c, DIST, PLUGIN_PATH));
  app.get(`${ICONS_PATH}/*`, (c) => serveFrom(c, ICONS, ICONS_PATH));
};
