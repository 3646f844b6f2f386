/**
 * WebSocket upgrades on Node.js: Hono's upgrade helper over a `ws` server. It stands in for
 * @hono/node-ws, for three things that one does not do:
 * - an upgrade the app refuses (the WebSocket guard's 403, 401 or 503) is answered with the app's
 *   response as it is — status, headers and the JSON error body; node-ws wrote the status line alone,
 *   with an empty body, so a client could not tell why;
 * - an upgrade the app accepted that then fails at the handshake (the client left, a malformed request)
 *   is reported to the handler's `onClose`, so the connection slot the guard reserved for it is released;
 * - a frame past `maxPayload` (the hard cap) is answered with the `oversized` text — a `message_too_large`
 *   error — before `ws` closes the connection with 1009, so the client learns why it was closed.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Hono } from "hono";
import { defineWebSocketHelper, WSContext, type UpgradeWebSocket, type WSEvents, type WSMessageReceive } from "hono/ws";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

export interface NodeWebSocketOptions {
  /** The hard cap on a frame, in bytes: `ws` stops reading past it and closes with 1009. */
  maxPayload: number;
  /** The text sent to a client whose frame passed `maxPayload`, just before the close. */
  oversized: () => string;
  /** An exception thrown by one of the handler's events (it must not end the process). */
  onError: (error: unknown) => void;
}

export interface NodeWebSocket {
  upgradeWebSocket: UpgradeWebSocket<WebSocket>;
  /** Starts answering the server's upgrade requests through the app. */
  attach(server: Server): void;
  /** Ends every open connection at once (server shutdown). */
  terminateAll(): void;
}

/** Headers of the app's response that do not apply to the one this connection gets (it is closed after it). */
const NOT_FORWARDED = new Set(["connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"]);

function closeEvent(code: number, reason: string): CloseEvent {
  return Object.assign(new Event("close"), { code, reason, wasClean: code !== 1006 });
}

/** The app's refusal of an upgrade, written on the raw socket as the HTTP response it is. */
async function refuse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const head = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name)) head.push(`${name}: ${value}`);
  });
  head.push("Connection: close", `Content-Length: ${body.length}`);
  socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]));
}

export function nodeWebSocket(app: Hono, options: NodeWebSocketOptions): NodeWebSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  /** Upgrade requests the app accepted, with the handler's events for each. */
  const accepted = new WeakMap<IncomingMessage, WSEvents<WebSocket>>();

  const guarded = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      options.onError(e);
    }
  };

  const upgradeWebSocket = defineWebSocketHelper<WebSocket>((c, events) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming) return;
    accepted.set(incoming, events);
    return new Response(null); // the handshake follows once the app has answered
  });

  function connect(ws: WebSocket, events: WSEvents<WebSocket>, url: URL): void {
    const ctx = new WSContext<WebSocket>({
      send: (data, o) => ws.send(data, { compress: o.compress }),
      close: (code, reason) => ws.close(code, reason),
      raw: ws,
      get readyState() {
        return ws.readyState;
      },
      url,
      protocol: ws.protocol,
    });
    // Ahead of ws's own listener, which closes the connection with 1009: the client is told why first.
    const receiver = (ws as unknown as { _receiver?: NodeJS.EventEmitter })._receiver;
    receiver?.prependListener("error", (err: { code?: string }) => {
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" && ws.readyState === ws.OPEN) ws.send(options.oversized());
    });
    guarded(() => events.onOpen?.(new Event("open"), ctx));
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const source = isBinary ? buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) : buffer.toString("utf8");
      // The event as the handler reads it (its `data`): a DOM MessageEvent costs ~10 µs to construct, a flood 5,000 of them a second.
      const event = { type: "message", data: source } as unknown as MessageEvent<WSMessageReceive>;
      guarded(() => events.onMessage?.(event, ctx));
    });
    ws.on("close", (code: number, reason: Buffer) => guarded(() => events.onClose?.(closeEvent(code, reason.toString()), ctx)));
    ws.on("error", (error: Error) => guarded(() => events.onError?.(Object.assign(new Event("error"), { error }), ctx)));
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy()); // a peer that resets mid-handshake is no error of ours
    let response: Response;
    let url: URL;
    try {
      // No real host: the guard judges origins against the Host header itself.
      url = new URL(`http://localhost${request.url ?? "/"}`);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers.append(name, Array.isArray(value) ? value[0]! : value);
      response = await app.request(url, { headers }, { incoming: request, outgoing: undefined });
    } catch (e) {
      options.onError(e);
      socket.destroy();
      return;
    }
    const events = accepted.get(request);
    accepted.delete(request);
    if (!events) return refuse(socket, response);
    let opened = false;
    const failed = () => {
      if (!opened) guarded(() => events.onClose?.(closeEvent(1006, "the upgrade failed"), new WSContext({ send: () => {}, close: () => {}, readyState: 3 })));
    };
    socket.once("close", failed);
    wss.handleUpgrade(request, socket, head, (ws) => {
      opened = true;
      socket.off("close", failed);
      connect(ws, events, url);
    });
  }

  return {
    upgradeWebSocket,
    attach: (server) => server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(request, socket, head)),
    terminateAll: () => {
      for (const client of wss.clients) client.terminate();
    },
  };
}
