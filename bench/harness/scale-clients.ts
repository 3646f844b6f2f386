/**
 * The scale-out scenario's clients process (scale-out.ts): WebSocket clients through the load balancer,
 * each subscribed live with batch frames, recording for every row the time from its insert (the row's
 * `created_at`, set by `clock_timestamp()` in the INSERT, on this same machine) to its arrival.
 *
 *   → start { url, clients }   ← ready { held, failed }
 *   → measure                  (samples from now on)
 *   → report                   ← report { histogram, held, rows }
 */
import WebSocket from "ws";
import { Histogram, type HistogramState } from "./histogram.ts";

export type ScaleClientsIn = { type: "start"; url: string; clients: number } | { type: "measure" } | { type: "report" };
export type ScaleClientsOut = { type: "ready"; held: number; failed: number } | { type: "report"; histogram: HistogramState; held: number; rows: number } | { type: "fatal"; message: string };

const sockets: WebSocket[] = [];
const subscribed = new Set<WebSocket>();
let histogram = new Histogram();
let measuring = false;
let rows = 0;

function send(m: ScaleClientsOut): void {
  process.send!(m);
}

function onFrame(ws: WebSocket, data: Buffer): void {
  const m = JSON.parse(data.toString()) as { type: string; events?: { data: { created_at?: string } }[]; data?: { created_at?: string } };
  if (m.type === "subscribed") subscribed.add(ws);
  if (!measuring) return;
  const now = Date.now();
  const events = m.type === "batch" ? (m.events ?? []) : m.type === "insert" ? [m as { data: { created_at?: string } }] : [];
  for (const e of events) {
    const at = e.data.created_at ? Date.parse(e.data.created_at) : NaN;
    if (Number.isFinite(at)) histogram.add(now - at);
    rows++;
  }
}

async function start(url: string, clients: number): Promise<void> {
  let failed = 0;
  const connect = () =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(`${url}?batch=1`, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        failed++;
        resolve();
      }, 60_000);
      ws.on("message", (data: Buffer) => {
        onFrame(ws, data);
        if (subscribed.has(ws)) {
          clearTimeout(timer);
          resolve();
        }
      });
      ws.on("error", () => undefined);
      ws.on("close", () => {
        subscribed.delete(ws);
        clearTimeout(timer);
        resolve();
      });
      sockets.push(ws);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, clients) }, async () => {
      while (next++ < clients) await connect();
    }),
  );
  send({ type: "ready", held: subscribed.size, failed });
}

process.on("message", (m: ScaleClientsIn) => {
  if (m.type === "start") start(m.url, m.clients).catch((e: Error) => send({ type: "fatal", message: e.message }));
  else if (m.type === "measure") {
    histogram = new Histogram();
    rows = 0;
    measuring = true;
  } else if (m.type === "report") {
    measuring = false;
    send({ type: "report", histogram: histogram.state(), held: sockets.filter((s) => s.readyState === WebSocket.OPEN && subscribed.has(s)).length, rows });
  }
});
process.on("SIGTERM", () => {
  for (const s of sockets) s.terminate();
  process.exit(0);
});
