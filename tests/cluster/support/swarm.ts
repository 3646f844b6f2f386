/**
 * A child process holding many WebSocket clients of one entity through a load balancer, each like a
 * dashboard: subscribed from a cursor, and — whenever its connection drops — reconnecting (to whichever
 * replica the balancer picks) with the last id it holds. Driven over IPC by swarm-control.ts:
 *
 *   → { cmd: "start", url, entity, clients, from }   ← { ready }           once every client is subscribed
 *   → { cmd: "progress" }                            ← { progress }        the lowest last id, reconnects
 *   → { cmd: "verify", ids }                         ← { verdict }         each client against the committed ids
 */
import WebSocket from "ws";

interface Start {
  cmd: "start";
  url: string;
  entity: string;
  clients: number;
  /** The cursor every client starts from: it must receive every row after it, exactly once. */
  from: string;
}

interface Client {
  last: bigint;
  ids: bigint[];
  /** Ids that did not come after the last one held: a row twice, or out of order. */
  regressions: number;
  reconnects: number;
  errors: Map<string, number>;
  subscribed: boolean;
  ws: WebSocket | null;
}

let stopping = false;
const clients: Client[] = [];

function send(m: unknown): void {
  process.send!(m);
}

function take(c: Client, id: string | number): void {
  const key = BigInt(id);
  if (key <= c.last) c.regressions++;
  else c.last = key;
  c.ids.push(key);
}

function connect(c: Client, o: Start, batch: boolean): void {
  const ws = new WebSocket(`${o.url}?subscribe=manual${batch ? "&batch=1" : ""}`);
  c.ws = ws;
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString()) as { type: string; id?: string | number; code?: string; events?: { type: string; id: string | number }[] };
    if (m.type === "connection_ack") ws.send(JSON.stringify({ type: "subscribe", entities: [o.entity], cursor: { [o.entity]: c.last.toString() }, snapshot: false }));
    else if (m.type === "subscribed") c.subscribed = true;
    else if (m.type === "insert") take(c, m.id!);
    else if (m.type === "batch") {
      for (const e of m.events ?? []) if (e.type === "insert") take(c, e.id);
    } else if (m.type === "error") c.errors.set(m.code ?? "?", (c.errors.get(m.code ?? "?") ?? 0) + 1);
  });
  const again = () => {
    if (c.ws !== ws) return;
    c.ws = null;
    if (stopping) return;
    c.reconnects++;
    setTimeout(() => connect(c, o, batch), 50 + Math.random() * 200);
  };
  ws.on("close", again);
  ws.on("error", () => ws.terminate());
}

async function start(o: Start): Promise<void> {
  for (let i = 0; i < o.clients; i++) {
    const c: Client = { last: BigInt(o.from), ids: [], regressions: 0, reconnects: 0, errors: new Map(), subscribed: false, ws: null };
    clients.push(c);
    connect(c, o, i % 2 === 1);
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 20)); // no thundering herd on the balancer
  }
  while (!clients.every((c) => c.subscribed)) await new Promise((r) => setTimeout(r, 50));
  send({ ready: true });
}

function verify(ids: string[]): unknown {
  const committed = ids.map(BigInt);
  const expected = new Set(committed.map(String));
  let missing = 0;
  let duplicates = 0;
  let unknown = 0;
  let complete = 0;
  for (const c of clients) {
    const got = new Set<string>();
    for (const id of c.ids) {
      const k = id.toString();
      if (got.has(k)) duplicates++;
      else if (!expected.has(k)) unknown++;
      got.add(k);
    }
    const lacking = committed.filter((id) => !got.has(id.toString())).length;
    missing += lacking;
    if (lacking === 0) complete++;
  }
  const errors: Record<string, number> = {};
  for (const c of clients) for (const [code, n] of c.errors) errors[code] = (errors[code] ?? 0) + n;
  return {
    clients: clients.length,
    complete,
    missing,
    duplicates,
    unknown,
    regressions: clients.reduce((n, c) => n + c.regressions, 0),
    reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
    errors,
  };
}

process.on("message", (m: { cmd: string; ids?: string[] } & Partial<Start>) => {
  if (m.cmd === "start") void start(m as Start);
  else if (m.cmd === "progress") {
    send({ progress: { lowest: clients.reduce((low, c) => (c.last < low ? c.last : low), clients[0]?.last ?? 0n).toString(), reconnects: clients.reduce((n, c) => n + c.reconnects, 0), open: clients.filter((c) => c.ws?.readyState === WebSocket.OPEN).length } });
  } else if (m.cmd === "verify") {
    stopping = true;
    send({ verdict: verify(m.ids!) });
    for (const c of clients) c.ws?.terminate();
    setTimeout(() => process.exit(0), 100);
  }
});
