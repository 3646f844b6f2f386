/**
 * Deno edge: the same CLI and app, served with Deno.serve. Run through `npm run start:deno`
 * (`deno run --node-modules-dir=manual` reuses the npm install).
 */
import { getConnInfo, upgradeWebSocket } from "hono/deno";
import { Hono } from "hono";
import type { Backend } from "../backend.ts";
import { runCli } from "../cli.ts";
import { mountApp, type RouteExtension } from "../http/app.ts";
import type { RuntimeAdapter } from "../http/adapter.ts";

declare const Deno: {
  args: string[];
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request, info: unknown) => Response | Promise<Response>): { shutdown(): Promise<void>; addr: { port: number } };
  exit(code: number): never;
};

export function serveDeno(backend: Backend, options: { port?: number; extensions?: RouteExtension[] } = {}) {
  const app = new Hono();
  const idleTimeout = Math.max(1, Math.round(backend.config.server.heartbeat_ms / 1000));
  const adapter: RuntimeAdapter = {
    // Deno pings idle sockets itself and closes those that stop answering.
    upgradeWebSocket: ((create: never) => (upgradeWebSocket as (c: never, o: object) => unknown)(create, { idleTimeout })) as unknown as RuntimeAdapter["upgradeWebSocket"],
    remoteAddress: (c) => getConnInfo(c).remote.address ?? "unknown",
  };
  mountApp(app, backend, adapter, options.extensions);
  const hostname = backend.config.server.host;
  return new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const server = Deno.serve({ port: options.port ?? backend.config.server.port, hostname, onListen: () => {} }, (req, info) => app.fetch(req, info));
    const port = server.addr.port;
    resolve({ url: `http://${hostname === "0.0.0.0" ? "127.0.0.1" : hostname}:${port}`, close: () => server.shutdown() });
  });
}

if ((import.meta as { main?: boolean }).main) {
  const code = await runCli(Deno.args, (backend, options) => serveDeno(backend, options));
  Deno.exit(code);
}
