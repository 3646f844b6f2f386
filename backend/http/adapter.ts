/** What the HTTP layer needs from the runtime (Node or Deno); the runtime files supply it. */
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { ClientSocket } from "../stream/client-socket.ts";

export interface RuntimeAdapter {
  upgradeWebSocket: UpgradeWebSocket<unknown>;
  /** The peer address of a request, for per-address limits. */
  remoteAddress(c: Context): string;
  /** Starts protocol-level heartbeats on a raw socket; calls `onDead` when the peer stops answering. Returns a stop function. */
  heartbeat?(raw: unknown, intervalMs: number, onDead: () => void): () => void;
  /** A faster socket for the runtime than the generic one over Hono's context (Node: shared bytes, corked writes). */
  clientSocket?(ws: WSContext): ClientSocket;
}
