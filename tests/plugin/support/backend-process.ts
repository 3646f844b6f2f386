/** Starts tests/plugin/support/backend-server.ts from a jest test and talks to it over stdin/stdout. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { API_PREFIX, REST } from "../../../contract/index.ts";

const ROOT = path.resolve(__dirname, "../../..");

export interface BackendHandle {
  url: string;
  send<T = Record<string, unknown>>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  /** Stops the HTTP server (the database stays); `crash` cuts the sockets without a close frame. */
  stopServer(mode?: "graceful" | "crash"): Promise<void>;
  startServer(): Promise<string>;
  insert(from: number, count: number): Promise<void>;
  ids(): Promise<number[]>;
  health(): Promise<{ clients: number; status: string }>;
  exit(): Promise<void>;
  output(): string;
}

export function startBackendProcess(yaml: string, schema: "contract" | "none" = "contract"): Promise<BackendHandle> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/plugin/support/backend-server.ts")], {
    cwd: ROOT,
    env: { ...process.env, NOMNOM_TEST_YAML: yaml, NOMNOM_TEST_SCHEMA: schema },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let buffer = "";
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let onReady: ((url: string) => void) | null = null;
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  child.stdout!.on("data", (c: Buffer) => {
    buffer += c.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out += line + "\n";
        continue;
      }
      if (msg.event === "ready") onReady?.(msg.url as string);
      const w = waiting.get(msg.id as number);
      if (!w) continue;
      waiting.delete(msg.id as number);
      if (msg.error) w.reject(new Error(String(msg.error)));
      else w.resolve(msg);
    }
  });
  const send = <T,>(cmd: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject });
      child.stdin!.write(JSON.stringify({ id, cmd, ...args }) + "\n");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test backend did not start:\n${out}`)), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the test backend exited with ${code}:\n${out}`));
    });
    onReady = (url) => {
      clearTimeout(timer);
      const handle: BackendHandle = {
        url,
        send,
        async stopServer(mode = "graceful") {
          await send("stop", { mode });
        },
        async startServer() {
          const r = await send<{ url: string }>("start");
          handle.url = r.url;
          return r.url;
        },
        async insert(from, count) {
          await send("insert", { from, count });
        },
        async ids() {
          return (await send<{ ids: number[] }>("ids")).ids;
        },
        async health() {
          const res = await fetch(`${handle.url}${API_PREFIX}${REST.health}`);
          return (await res.json()) as { clients: number; status: string };
        },
        async exit() {
          if (child.exitCode !== null) return;
          const gone = new Promise((r) => child.once("exit", r));
          await send("exit").catch(() => {});
          const timer2 = setTimeout(() => child.kill("SIGKILL"), 5000);
          await gone;
          clearTimeout(timer2);
        },
        output: () => out,
      };
      resolve(handle);
    };
  });
}
