/** Protocol-level heartbeats on a `ws` WebSocket: a ping every interval; a peer that left the last one unanswered is dead. */
import type { WebSocket } from "ws";

/** Starts the heartbeats; calls `onDead` when the peer stops answering. Returns a stop function. */
export function heartbeat(raw: unknown, intervalMs: number, onDead: () => void): () => void {
  const ws = raw as WebSocket;
  let alive = true;
  ws.on("pong", () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return onDead();
    alive = false;
    ws.ping();
  }, intervalMs);
  return () => clearInterval(timer);
}
