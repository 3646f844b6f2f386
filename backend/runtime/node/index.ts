/**
 * The Node.js edge, one capability a file as Hono's own runtime adapters are: the server (server.ts),
 * WebSocket upgrades (websocket.ts), the client socket (socket.ts) and heartbeats (heartbeat.ts). The
 * CLI's entry point on Node.js is ../node-main.ts.
 */
export { serveNode, type RunningServer } from "./server.ts";
