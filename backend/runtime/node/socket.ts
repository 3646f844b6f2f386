/** The Node.js client socket: the hub's ClientSocket straight on a `ws` WebSocket. */
import type { WebSocket } from "ws";
import type { ClientSocket } from "../../stream/client-socket.ts";

/**
 * A client socket straight on `ws`: a shared frame goes out as its one UTF-8 buffer (ws encodes a string
 * anew for every client), and the frames of one publish are corked into one write per client.
 */
export function nodeSocket(ws: WebSocket): ClientSocket {
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
