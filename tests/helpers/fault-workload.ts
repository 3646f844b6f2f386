/**
 * The load a fault test runs under: writers inserting rows at a steady rate straight into the database
 * (not through the proxy the backend is behind), and WebSocket clients counting every row they
 * receive — reconnecting with their cursor when the backend goes away, as the plugin does. At the end
 * the database says which rows committed; a client must have each exactly once.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { wsQuery, type ChangeMessage, type ServerMessage } from "../../contract/index.ts";

/** Inserts rows at `perSecond` until stopped; an insert that fails (the database is down) is retried later. */
export class Inserts {
  private stopped = false;
  private readonly done: Promise<void>;
  failures = 0;

  constructor(insert: () => Promise<unknown>, perSecond: number) {
    this.done = (async () => {
      while (!this.stopped) {
        const started = Date.now();
        try {
          await insert();
        } catch {
          this.failures++;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 / perSecond - (Date.now() - started))));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/**
 * One client of one entity: live from the stream's position when it first subscribes, then resuming
 * from its cursor (the highest id received) whenever its connection closes, on whatever URL `url()`
 * gives then. Records every change, in arrival order, and every `error` message.
 */
export class CountingClient {
  readonly ids: number[] = [];
  readonly late: number[] = [];
  readonly errors: Extract<ServerMessage, { type: "error" }>[] = [];
  cursor: number | null = null;
  reconnects = 0;
  private ws: WebSocket | null = null;
  private closing = false;
  private subscribed!: () => void;
  /** Resolves once the first subscription is in force. */
  readonly ready = new Promise<void>((r) => (this.subscribed = r));

  constructor(
    private readonly url: () => string,
    private readonly entity: string,
    private readonly batch = false,
  ) {
    this.open();
  }

  private open(): void {
    const ws = new WebSocket(`${this.url()}?${new URLSearchParams(wsQuery({ manual: true, batch: this.batch })).toString()}`);
    this.ws = ws;
    ws.on("open", () => {
      const cursor = this.cursor === null ? {} : { cursor: { [this.entity]: this.cursor } };
      ws.send(JSON.stringify({ type: "subscribe", entities: [this.entity], snapshot: false, ...cursor }));
    });
    ws.on("message", (data: Buffer) => this.receive(JSON.parse(data.toString()) as ServerMessage));
    ws.on("error", () => {});
    ws.on("close", () => {
      if (this.closing) return;
      this.reconnects++;
      setTimeout(() => this.open(), 200);
    });
  }

  private receive(m: ServerMessage): void {
    if (m.type === "subscribed") {
      const at = m.cursors[this.entity];
      if (this.cursor === null && at !== null && at !== undefined) this.cursor = Number(at);
      this.subscribed();
    } else if (m.type === "error") this.errors.push(m);
    else if (m.type === "batch") for (const c of m.events) this.change(c);
    else if (m.type === "insert" || m.type === "update" || m.type === "delete") this.change(m);
  }

  private change(c: ChangeMessage): void {
    if (c.entity !== this.entity) return;
    const id = Number(c.id);
    this.ids.push(id);
    if (c.late) this.late.push(id);
    // A late row is below the cursor: resuming goes on from the highest id received.
    else this.cursor = Math.max(this.cursor ?? id, id);
  }

  /** The highest id received so far. */
  get highest(): number {
    return this.cursor ?? 0;
  }

  async waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (highest id ${this.highest}, ${this.ids.length} rows, ${this.reconnects} reconnects)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.closing = true;
    this.ws?.close();
  }
}

/** Every committed id after `from` received exactly once, by each client; returns the counts for the report. */
export function assertEveryRowOnce(committed: number[], from: number, clients: CountingClient[]): { committed: number; lost: number; duplicated: number } {
  const expected = committed.filter((id) => id > from).sort((a, b) => a - b);
  let lost = 0;
  let duplicated = 0;
  for (const [i, c] of clients.entries()) {
    const seen = c.ids.filter((id) => id > from);
    const unique = new Set(seen);
    duplicated += seen.length - unique.size;
    const missing = expected.filter((id) => !unique.has(id));
    lost += missing.length;
    assert.deepEqual(missing, [], `client ${i}: ${missing.length} committed rows never arrived (first: ${missing.slice(0, 10).join(", ")})`);
    assert.equal(seen.length, unique.size, `client ${i}: ${seen.length - unique.size} rows arrived twice`);
    assert.deepEqual([...unique].filter((id) => !expected.includes(id)), [], `client ${i}: rows that never committed`);
  }
  return { committed: expected.length, lost, duplicated };
}

/** Milliseconds until `check` holds, polling every 20 ms. */
export async function timeUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}
