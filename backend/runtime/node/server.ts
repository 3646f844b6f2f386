/** Node.js edge: serves the Hono app with @hono/node-server and upgrades WebSockets with ws. */
import "./polyfills.ts";
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import type { WebSocket } from "ws";
import type { Backend } from "../../backend.ts";
import type { RuntimeAdapter } from "../../http/adapter.ts";
import { mountApp, type RouteExtension } from "../../http/app.ts";
import { listenUrl } from "../listen-url.ts";
import { heartbeat } from "./heartbeat.ts";
import { nodeSocket } from "./socket.ts";

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function serveNode(backend: Backend, options: { port?: number; host?: string; extensions?: RouteExtension[] } = {}): Promise<RunningServer> {
  const app = new Hono();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app });
  // Frames past this are refused by ws itself (close 1009); smaller oversized ones get an `error` reply from the session.
  (wss.options as { maxPayload: number }).maxPayload = Math.max(1_048_576, backend.config.server.max_message_bytes * 4);
  const adapter: RuntimeAdapter = {
    upgradeWebSocket: upgradeWebSocket as RuntimeAdapter["upgradeWebSocket"],
    remoteAddress: (c) => getConnInfo(c).remote.address ?? "unknown",
    clientSocket: (ws) => nodeSocket(ws.raw as WebSocket),
    heartbeat,
  };
  mountApp(app, backend, adapter, options.extensions);
  const port = options.port ?? backend.config.server.port;
  const hostname = options.host ?? backend.config.server.host;
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, () => resolve(s));
    s.once("error", reject);
  });
  injectWebSocket(server);
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    port: actualPort,
    url: listenUrl(hostname, actualPort),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
