/** The Node.js client socket: the hub's ClientSocket straight on a `ws` WebSocket. */
import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { ClientSocket } from "../../stream/client-socket.ts";

/** What of `ws`'s internals the socket reaches into: the TCP socket, and whether its sender holds frames back. */
interface WsInternals {
  _socket?: Socket;
  _sender?: { _queue: unknown[]; _state: number };
}

/**
 * A client socket straight on `ws`. Frames shared by many clients are framed once for the wire
 * (frames.ts) and written to the TCP socket as they are — one write per run of a publish's frames, no
 * framing, encoding or buffer view made per client. That is safe while `ws`'s sender holds nothing back
 * (it queues only while compressing or reading a Blob, and this server does neither): writes then reach
 * the socket in the order they are made, and `bufferedAmount` counts them (it reads the socket's).
 */
export function nodeSocket(ws: WebSocket): ClientSocket {
  const text = { binary: false };
  const raw = ws as unknown as WsInternals;
  const direct = (): Socket | null => {
    const sender = raw._sender;
    return ws.readyState === ws.OPEN && raw._socket && sender && sender._queue.length === 0 && sender._state === 0 ? raw._socket : null;
  };
  const writeWire = (wire: Buffer): boolean => {
    const socket = direct();
    if (!socket) return false;
    socket.write(wire);
    return true;
  };
  return {
    send: (data) => {
      if (typeof data === "string") ws.send(data);
      else if (!writeWire(data.wire)) ws.send(data.bytes, text);
    },
    writeWire,
    close: (code, reason) => ws.close(code, reason),
    cork: () => raw._socket?.cork(),
    uncork: () => raw._socket?.uncork(),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
  };
}
