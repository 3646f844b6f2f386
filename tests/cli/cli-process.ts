/**
 * Runs `nomnom-live` as a user does — `node bin/nomnom-live.js …`, a process of its own — and checks a
 * failure the way the user sees it: its exit code, one or two lines on stderr, and no stack trace.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { ROOT } from "../helpers/process.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is added to this process's environment; `undefined` removes a variable. */
export function cli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const merged: Record<string, string | undefined> = { ...process.env, NOMNOM_LOG: "warn", ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/nomnom-live.js", ...args], { cwd: ROOT, timeout: timeoutMs, env: merged }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The failure as promised: `code`, one or two lines on stderr matching `message`, no stack trace. */
export function assertFailure(r: CliResult, code: number, message: RegExp): void {
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  assert.equal(r.code, code, `exit code ${r.code}, expected ${code}; stderr:\n${r.stderr}`);
  assert.ok(lines.length >= 1 && lines.length <= 2, `one or two lines on stderr, got ${lines.length}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^ {4}at /m, `no stack trace:\n${r.stderr}`);
  assert.match(r.stderr, message);
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = await listening(0);
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A server holding a port, as another program would. */
export function listening(port: number, host = "0.0.0.0"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
