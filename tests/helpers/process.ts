/**
 * Runs the backend as a user does — a separate process started by a command (`npm start`, the CLI on
 * Node, the Deno entry) — and waits for the address it prints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BackendProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process printed so far, both streams. */
  output(): string;
  /** SIGTERM to the whole process group; resolves with the exit code once every process of the group has exited. */
  stop(): Promise<number | null>;
}

export function spawnBackend(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<BackendProcess> {
  // Its own process group, so `npm start` and the node it starts stop together.
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NOMNOM_LOG: "warn", ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (groupAlive()) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 10_000);
      const code = await exited;
      while (groupAlive()) await new Promise((r) => setTimeout(r, 50)); // `npm start` exits before the node it started
      clearTimeout(timer);
      return code;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(" ")} printed no address within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /nomnom-live is running: (http:\/\/[^\s/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeListener("data", onData);
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        resolve({ url: m[1]!, wsUrl: `${m[1]!.replace(/^http/, "ws")}/ws`, child, output: () => out, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} exited with ${code} before serving:\n${out}`));
    });
  });
}
