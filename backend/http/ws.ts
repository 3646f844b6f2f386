/**
 * The WebSocket endpoint `/ws`. Before the upgrade: origin, authentication (bearer header or a
 * single-use `ticket`), and connection limits (503) — ws-guard.ts, which reserves the connection's slot.
 * After it, the session holds the slot and every frame goes to it; an upgrade that closes before it
 * opened gives the slot back.
 *
 * Query parameters: `batch=1` for batched frames; `subscribe=manual` to wait for a `subscribe` message
 * instead of being subscribed to every entity (seed clients send none and receive everything).
 */
import type { WSContext } from "hono/ws";
import { CloseCode, parseWsQuery } from "../../contract/index.ts";
import type { Backend } from "../backend.ts";
import type { ClientSocket } from "../stream/client-socket.ts";
import type { Session } from "../stream/session.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { reservedSlot } from "./ws-guard.ts";

/** Any runtime: text through Hono's WebSocket context (shared frames as their text). */
export function genericSocket(ws: WSContext): ClientSocket {
  return {
    send: (data) => ws.send(typeof data === "string" ? data : data.text),
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      return (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;
    },
    get isOpen() {
      return ws.readyState === 1;
    },
  };
}

export function wsHandler(backend: Backend, adapter: RuntimeAdapter) {
  return adapter.upgradeWebSocket((c) => {
    const address = adapter.remoteAddress(c);
    const { batch, manual } = parseWsQuery((name) => c.req.query(name));
    const subscribeAll = !manual;
    const slot = reservedSlot(c);
    let session: Session | null = null;
    let stopHeartbeat: (() => void) | undefined;
    return {
      onOpen(_event, ws) {
        session = backend.hub.open(
          adapter.clientSocket?.(ws) ?? genericSocket(ws),
          address,
          { batch, subscribeAll, mode: backend.config.polling.mode, pollIntervalMs: backend.config.polling.interval_ms, version: backend.version },
          slot,
        );
        stopHeartbeat = adapter.heartbeat?.(ws.raw, backend.config.server.heartbeat_ms, () => session?.close(CloseCode.HeartbeatTimeout, "no answer to heartbeats"));
      },
      onMessage(event) {
        if (typeof event.data !== "string") return session?.error("invalid_message", "binary frames are not accepted; send JSON text");
        session?.handleText(event.data);
      },
      onClose() {
        stopHeartbeat?.();
        session?.close(1000, "closed");
        slot?.release(); // an upgrade that never opened (the session's close released it otherwise)
      },
      onError() {
        stopHeartbeat?.();
        session?.close(1011, "socket error");
        slot?.release();
      },
    };
  });
}
