/**
 * Limit: a bare `ws` server broadcasting pre-serialised frames — the fan-out ceiling of this machine.
 * It reads no database: the writer pushes each committed row's frame (nomnom-live's per-row format,
 * built once) over a local TCP socket right after COMMIT, and this server sends them to every client.
 * No polling, no serialisation, no bookkeeping: what is left is the cost of the WebSocket fan-out,
 * done as cheaply as `ws` allows — each frame encoded to bytes once (a string passed to `ws.send` is
 * UTF-8 encoded again for every client), and each client's socket corked around the frames of one
 * read, so they leave in one write. `--batch N` sends what one read brought as batch frames of up to
 * N rows (nomnom-live's batch format; N = 100 matches its rows per poll) instead of a frame per row.
 * `--send string` sends the same string to each client, one `ws.send` per frame and client, the
 * plain way, to show what the two savings buy.
 *
 * By default it broadcasts on every read, so at every writer commit (hundreds a second): the latency
 * limit. `--flush-ms N` holds the rows and broadcasts what came every N ms instead — the cadence of a
 * poller — which is the fair CPU comparison for a server that writes to its clients that often.
 *
 *   node --import tsx bench/baselines/ws-ceiling.ts --port 0 [--batch 100] [--send bytes|string] [--flush-ms 15]
 */
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { WebSocketServer, type WebSocket } from "ws";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, send: { type: "string", default: "bytes" }, batch: { type: "string", default: "0" }, "flush-ms": { type: "string", default: "0" } } });
const flushMs = Number(values["flush-ms"]);
const asBytes = values.send !== "string";
const batchRows = Number(values.batch);
const clients = new Set<WebSocket>();
let frames = 0;

const http = createHttpServer((req, res) => {
  if (req.url === "/bench/cursor") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ frames }));
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, path: "/ws" });
wss.on("connection", (ws) => {
  clients.add(ws);
  ws.on("close", () => clients.delete(ws));
  ws.on("error", () => clients.delete(ws));
});

function broadcast(out: string[]): void {
  frames += out.length;
  if (!asBytes) {
    for (const frame of out) for (const c of clients) c.send(frame);
    return;
  }
  const bytes = out.map((f) => Buffer.from(f));
  for (const c of clients) {
    const socket = (c as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (const b of bytes) c.send(b, { binary: false });
    socket.uncork();
  }
}

// Row frames arrive newline-delimited.
const feed = createTcpServer((socket) => {
  let rest = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    const text = rest + chunk;
    const rows: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      rows.push(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rows.length === 0) return;
    if (flushMs > 0) held.push(...rows);
    else send(rows);
  });
});

/** Rows read but not yet broadcast (with --flush-ms). */
let held: string[] = [];
if (flushMs > 0) {
  setInterval(() => {
    if (held.length === 0) return;
    const rows = held;
    held = [];
    send(rows);
  }, flushMs);
}

function send(rows: string[]): void {
  if (batchRows <= 0) return broadcast(rows);
  const ts = new Date().toISOString();
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += batchRows) out.push(`{"type":"batch","timestamp":"${ts}","events":[${rows.slice(i, i + batchRows).join(",")}]}`);
  broadcast(out);
}

http.listen(Number(values.port), "127.0.0.1", () => {
  feed.listen(0, "127.0.0.1", () => {
    const a = http.address();
    const f = feed.address();
    console.log(`BENCH_READY port=${typeof a === "object" && a ? a.port : 0} feed=${typeof f === "object" && f ? f.port : 0}`);
  });
});
process.on("SIGTERM", () => process.exit(0));
