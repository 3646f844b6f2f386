/**
 * A real backend for the plugin's jest tests, in a process of its own (the backend is Node ESM; jest
 * runs the plugin in jsdom). It owns an embedded PGlite, so the database outlives the HTTP server: the
 * tests stop the server (cleanly, or as a crash) while rows keep being inserted, then start it again on
 * the same port.
 *
 *   node --import tsx tests/plugin/support/backend-server.ts   (config YAML in NOMNOM_TEST_YAML,
 *   NOMNOM_TEST_SCHEMA=contract|none). Commands: one JSON object per stdin line, answered on stdout.
 */
import { createInterface } from "node:readline";
import { Backend } from "../../../backend/backend.ts";
import { parseConfig } from "../../../backend/config/load.ts";
import { PgliteDialect } from "../../../backend/db/pglite.ts";
import { createLogger } from "../../../backend/log.ts";
import { serveNode, type RunningServer } from "../../../backend/runtime/node/index.ts";
import { contractSchema, insertOrders } from "../../helpers/schema.ts";

const yaml = process.env.NOMNOM_TEST_YAML ?? "entities: []";
const dialect = await PgliteDialect.open();
if ((process.env.NOMNOM_TEST_SCHEMA ?? "contract") === "contract") await dialect.execute(contractSchema("pglite"));

/**
 * The backend's view of the database, which the `dbDown` command makes stop answering (every call fails
 * as a refused connection would) until `dbUp`; the test's own inserts still reach PGlite.
 */
let databaseDown = false;
const backendDialect = new Proxy(dialect, {
  get(target, prop, receiver) {
    const value = Reflect.get(target, prop, receiver) as unknown;
    if (typeof value !== "function" || prop === "close") return value;
    return (...args: unknown[]) => {
      if (databaseDown) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432 (test outage)"));
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});

let backend: Backend | null = null;
let server: RunningServer | null = null;
let port = 0;
let writer: { timer: ReturnType<typeof setInterval>; next: number; inserted: number; busy: boolean } | null = null;

async function start(): Promise<string> {
  const config = await parseConfig(yaml, "plugin-test.yaml", {});
  config.server.host = "127.0.0.1";
  backend = await Backend.create({ config, dialect: backendDialect, log: createLogger((process.env.NOMNOM_LOG as "debug") ?? "error"), source: "plugin-test.yaml" });
  backend.start();
  server = await serveNode(backend, { port, host: "127.0.0.1" });
  port = server.port;
  await backend.ready();
  return server.url;
}

async function stop(mode: "graceful" | "crash"): Promise<void> {
  const b = backend;
  const s = server;
  backend = null;
  server = null;
  if (mode === "crash") {
    // Sockets cut without a close frame (the browser sees 1006), as when the process dies.
    await s?.close();
    await b?.stop();
  } else {
    await b?.stop();
    await s?.close();
  }
}

const handlers: Record<string, (msg: Record<string, unknown>) => Promise<unknown>> = {
  async insert(msg) {
    await dialect.execute(insertOrders(Number(msg.from), Number(msg.count)));
    return {};
  },
  async writer(msg) {
    const state = { timer: setInterval(() => {}, 1000), next: Number(msg.from), inserted: 0, busy: false };
    clearInterval(state.timer);
    state.timer = setInterval(() => {
      if (state.busy) return;
      state.busy = true;
      const n = state.next++;
      dialect
        .execute(insertOrders(n, 1))
        .then(() => state.inserted++)
        .catch((e: unknown) => process.stderr.write(`writer: ${String(e)}\n`))
        .finally(() => (state.busy = false));
    }, Number(msg.everyMs ?? 20));
    writer = state;
    return {};
  },
  async stopWriter() {
    if (!writer) return { inserted: 0 };
    clearInterval(writer.timer);
    while (writer.busy) await new Promise((r) => setTimeout(r, 5));
    const inserted = writer.inserted;
    writer = null;
    return { inserted };
  },
  async dbDown() {
    databaseDown = true;
    return {};
  },
  async dbUp() {
    databaseDown = false;
    return {};
  },
  async stop(msg) {
    await stop(msg.mode === "crash" ? "crash" : "graceful");
    return {};
  },
  async start() {
    return { url: await start() };
  },
  async ids() {
    const res = await dialect.db.query<{ id: number }>("SELECT id::int AS id FROM orders ORDER BY id");
    return { ids: res.rows.map((r) => Number(r.id)) };
  },
  async exit() {
    if (writer) clearInterval(writer.timer);
    await stop("graceful");
    await dialect.close();
    setTimeout(() => process.exit(0), 10);
    return {};
  },
};

const reply = (obj: unknown) => process.stdout.write(JSON.stringify(obj) + "\n");

createInterface({ input: process.stdin }).on("line", (line) => {
  const msg = JSON.parse(line) as Record<string, unknown> & { id: number; cmd: string };
  const handler = handlers[msg.cmd];
  if (!handler) return reply({ id: msg.id, error: `unknown command ${msg.cmd}` });
  handler(msg).then(
    (result) => reply({ id: msg.id, ok: true, ...(result as object) }),
    (e: unknown) => reply({ id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
process.stdin.on("end", () => void handlers.exit!({}));

reply({ event: "ready", url: await start() });
