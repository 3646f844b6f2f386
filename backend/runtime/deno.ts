/**
 * Deno edge: the same CLI and app, served with Deno.serve on `server.host` and `server.port`. Run through
 * `npm run start:deno` (`deno run --node-modules-dir=manual` reuses the npm install).
 */
import { getConnInfo, upgradeWebSocket } from "hono/deno";
import { Hono } from "hono";
import type { Backend } from "../backend.ts";
import { runCli } from "../cli.ts";
import { mountApp, type RouteExtension } from "../http/app.ts";
import type { RuntimeAdapter } from "../http/adapter.ts";
import { listenUrl } from "./listen-url.ts";

type Signal = "SIGINT" | "SIGTERM";

declare const Deno: {
  args: string[];
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request, info: unknown) => Response | Promise<Response>): { shutdown(): Promise<void>; addr: { port: number } };
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number };
  addSignalListener(signal: Signal, handler: () => void): void;
  removeSignalListener(signal: Signal, handler: () => void): void;
  exit(code: number): never;
};

export function serveDeno(backend: Backend, options: { port?: number; host?: string; extensions?: RouteExtension[] } = {}) {
  const app = new Hono();
  const idleTimeout = Math.max(1, Math.round(backend.config.server.heartbeat_ms / 1000));
  const adapter: RuntimeAdapter = {
    // Deno pings idle sockets itself and closes those that stop answering.
    upgradeWebSocket: ((create: never) => (upgradeWebSocket as (c: never, o: object) => unknown)(create, { idleTimeout })) as unknown as RuntimeAdapter["upgradeWebSocket"],
    remoteAddress: (c) => getConnInfo(c).remote.address ?? "unknown",
  };
  mountApp(app, backend, adapter, options.extensions);
  const hostname = options.host ?? backend.config.server.host;
  return new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const server = Deno.serve({ port: options.port ?? backend.config.server.port, hostname, onListen: () => {} }, (req, info) => app.fetch(req, info));
    resolve({ url: listenUrl(hostname, server.addr.port), close: () => server.shutdown() });
  });
}

/** Writes all of `text` (a write may take only part of it). */
function writer(stream: { writeSync(bytes: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    let bytes = encoder.encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
  };
}

/** Resolves on the first SIGINT or SIGTERM; a second one then ends the process as usual. */
function shutdown(): Promise<void> {
  return new Promise((resolve) => {
    const signals: Signal[] = ["SIGINT", "SIGTERM"];
    const stop = () => {
      for (const s of signals) Deno.removeSignalListener(s, stop);
      resolve();
    };
    for (const s of signals) Deno.addSignalListener(s, stop);
  });
}

if ((import.meta as { main?: boolean }).main) {
  const code = await runCli(Deno.args, { serve: (backend, options) => serveDeno(backend, options), stdout: writer(Deno.stdout), stderr: writer(Deno.stderr), shutdown });
  Deno.exit(code);
}
