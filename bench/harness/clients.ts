/**
 * The clients process: holds C WebSocket connections to the server under test and records, for each,
 * every row it receives and when (see collector.ts). Started by the harness with fork().
 */
import WebSocket from "ws";
import { Collector } from "./collector.ts";
import { controlKind, rowIds } from "./frames.ts";
import { wallNow } from "./ipc.ts";

const sockets: WebSocket[] = [];
/** Connections opened at once: enough to be quick, few enough not to overflow the server's accept backlog. */
const CONNECT_CONCURRENCY = 50;
const READY_TIMEOUT_MS = 120_000;

Collector.serve(
  async (init, collector) => {
    let failed = 0;
    let firstError: string | undefined;
    const ids: number[] = [];
    const connect = (c: number) =>
      new Promise<void>((resolve) => {
        // The harness reads bytes, never text: checking each frame's UTF-8 would only cost the clients CPU.
        const ws = new WebSocket(init.url, { perMessageDeflate: false, skipUTF8Validation: true });
        sockets[c] = ws;
        const state = collector.clients[c]!;
        const fail = (why: string) => {
          if (state.ready) return;
          failed++;
          firstError ??= why;
          resolve();
        };
        const timer = setTimeout(() => fail("not ready in time"), READY_TIMEOUT_MS);
        ws.on("open", () => {
          if (init.waitFor === "open") {
            state.ready = true;
            clearTimeout(timer);
            resolve();
          }
        });
        ws.on("message", (data: Buffer) => {
          const t = wallNow();
          collector.lastFrameAt = t;
          ids.length = 0;
          if (rowIds(data, ids) > 0) return collector.delivered(c, ids, t);
          const kind = controlKind(data);
          if (kind === "subscribed" && !state.ready) {
            state.ready = true;
            clearTimeout(timer);
            resolve();
          } else if (kind === "lagging" || kind === "error") collector.control(c, kind);
          else if (kind === "other" && data[0] === 0x7b && data.indexOf('"insert"') >= 0) collector.unrecognised++;
        });
        ws.on("error", (e) => fail(e.message));
        ws.on("close", () => {
          state.closed = true;
          fail("closed before ready");
        });
      });
    let next = 0;
    const lanes = Array.from({ length: Math.min(CONNECT_CONCURRENCY, init.clients) }, async () => {
      while (next < init.clients) await connect(next++);
    });
    await Promise.all(lanes);
    return { failed, ...(firstError ? { firstError } : {}) };
  },
  async () => {
    for (const ws of sockets) ws?.terminate();
  },
);
