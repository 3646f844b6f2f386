/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for a test: its own free port and temporary storage,
 * started on a given configuration file and stopped (SIGTERM, then SIGKILL) at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IN_CI } from "./databases.ts";

export const PROMETHEUS_BIN = process.env.NOMNOM_TEST_PROMETHEUS ?? "/usr/bin/prometheus";
export const PROMTOOL_BIN = process.env.NOMNOM_TEST_PROMTOOL ?? "/usr/bin/promtool";

/** Why Prometheus tests are skipped here, or undefined to run them. Never skips in CI. */
export function prometheusSkipReason(): string | undefined {
  if (IN_CI) return undefined;
  const missing = [PROMETHEUS_BIN, PROMTOOL_BIN].filter((b) => !existsSync(b));
  return missing.length > 0 ? `${missing.join(", ")} not installed (Debian package prometheus); skipped outside CI` : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusProcess {
  url: string;
  output(): string;
  /** GET an API path (`/api/v1/...`) and return its `data`. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startPrometheus(configFile: string, timeoutMs = 30_000): Promise<PrometheusProcess> {
  const port = await freePort();
  const storage = mkdtempSync(join(tmpdir(), "nomnom-prometheus-"));
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(storage, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => out,
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
      return body.data;
    },
    stop,
  };
}
