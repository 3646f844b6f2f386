/** Node.js edge: serves the Hono app with @hono/node-server and upgrades WebSockets with ws (websocket.ts). */
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import type { Server } from "node:http";
import type { WebSocket } from "ws";
import type { Backend } from "../../backend.ts";
import type { RuntimeAdapter } from "../../http/adapter.ts";
import { mountApp, type RouteExtension } from "../../http/app.ts";
import { frameHardCap } from "../../stream/client-protocol.ts";
import { message } from "../../stream/frames.ts";
import { listenUrl } from "../listen-url.ts";
import { heartbeat } from "./heartbeat.ts";
import { nodeSocket } from "./socket.ts";
import { nodeWebSocket } from "./websocket.ts";

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function serveNode(backend: Backend, options: { port?: number; host?: string; extensions?: RouteExtension[] } = {}): Promise<RunningServer> {
  const app = new Hono();
  const messageBytes = backend.config.server.max_message_bytes;
  // Frames past max_message_bytes get an `error` reply from the session; past the hard cap ws stops reading
  // them, and the client is told the same before the connection closes with 1009.
  const cap = frameHardCap(messageBytes);
  const websocket = nodeWebSocket(app, {
    maxPayload: cap,
    oversized: () =>
      message({ type: "error", code: "message_too_large", message: `a frame passed the hard cap of ${cap} bytes (messages are limited to ${messageBytes} bytes); closing the connection (1009)` }),
    onError: (e) => backend.log.error("WebSocket handler failed", { error: e instanceof Error ? e.message : String(e) }),
  });
  const adapter: RuntimeAdapter = {
    upgradeWebSocket: websocket.upgradeWebSocket as RuntimeAdapter["upgradeWebSocket"],
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
  websocket.attach(server as Server);
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    port: actualPort,
    url: listenUrl(hostname, actualPort),
    close: () =>
      new Promise<void>((resolve) => {
        websocket.terminateAll();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
