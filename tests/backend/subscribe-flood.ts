/**
 * A client that floods `subscribe` with cursor 0, as its own process so that what it costs to send and
 * to receive is not counted against the server it is measured on (replay-isolation.test.ts):
 *
 *   node --import tsx tests/backend/subscribe-flood.ts <ws url> <entity> [messages] [ms]
 *
 * Connects, prints `open`, then on a line `go` on stdin sends `messages` subscribes (default 5,000) in
 * `ms` (default 800) and prints `sent`; on `calm` unsubscribes (ending the replay still running) and
 * prints `calm`; reads everything it is sent; on `stop` prints `received <bytes>` and exits.
 */
import { createInterface } from "node:readline";
import WebSocket from "ws";

const [url, entity, messages = "5000", ms = "800"] = process.argv.slice(2);
const ws = new WebSocket(`${url}?subscribe=manual`);
let received = 0;
ws.on("message", (data: Buffer) => (received += data.length));
ws.once("error", (e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
ws.once("open", () => process.stdout.write("open\n"));

async function flood(): Promise<void> {
  const text = JSON.stringify({ type: "subscribe", cursor: { [entity!]: 0 } });
  // Spread evenly, a few per millisecond: the server reads them in many small chunks, as from a real network.
  const start = Date.now();
  for (let sent = 0; sent < Number(messages); ) {
    const due = Math.min(Number(messages), Math.ceil(((Date.now() - start + 1) / Number(ms)) * Number(messages)));
    for (; sent < due; sent++) ws.send(text);
    await new Promise((r) => setTimeout(r, 1));
  }
  process.stdout.write("sent\n");
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "go") void flood();
  if (line === "calm") {
    ws.send(JSON.stringify({ type: "unsubscribe", entities: [entity] }));
    process.stdout.write("calm\n");
  }
  if (line === "stop") {
    process.stdout.write(`received ${received}\n`);
    ws.close();
    setTimeout(() => process.exit(0), 50);
  }
});
