/** Node.js edge: serves the Hono app with @hono/node-server and upgrades WebSockets with ws. */
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import type { WebSocket } from "ws";
import type { Backend } from "../backend.ts";
import { mountApp, type RouteExtension } from "../http/app.ts";
import type { RuntimeAdapter } from "../http/adapter.ts";
import type { ClientSocket } from "../stream/client-socket.ts";

// @hono/node-ws reports socket errors with the global ErrorEvent, which Node.js only has from v22;
// without it an oversized frame would throw inside the socket's error handler.
if (typeof globalThis.ErrorEvent === "undefined") {
  (globalThis as { ErrorEvent?: unknown }).ErrorEvent = class ErrorEvent extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: { error?: unknown; message?: string } = {}) {
      super(type);
      this.error = init.error;
      this.message = init.message ?? (init.error instanceof Error ? init.error.message : "");
    }
  };
}

/**
 * A client socket straight on `ws`: a shared frame goes out as its one UTF-8 buffer (ws encodes a string
 * anew for every client), and the frames of one publish are corked into one write per client.
 */
function nodeSocket(ws: WebSocket): ClientSocket {
  const text = { binary: false };
  return {
    send: (data) => (typeof data === "string" ? ws.send(data) : ws.send(data.bytes, text)),
    close: (code, reason) => ws.close(code, reason),
    cork: () => (ws as unknown as { _socket?: { cork(): void } })._socket?.cork(),
    uncork: () => (ws as unknown as { _socket?: { uncork(): void } })._socket?.uncork(),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
  };
}

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
    heartbeat(raw, intervalMs, onDead) {
      const ws = raw as WebSocket;
      let alive = true;
      ws.on("pong", () => (alive = true));
      const timer = setInterval(() => {
        if (!alive) return onDead();
        alive = false;
        ws.ping();
      }, intervalMs);
      return () => clearInterval(timer);
    },
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
    url: `http://${hostname === "0.0.0.0" ? "127.0.0.1" : hostname}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
