/** Starting the processes of a run: servers (waiting for the line that says where they listen) and IPC children. */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  pid: number;
  /** What the ready line captured (the server's address). */
  match: RegExpExecArray;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    child.kill(signal);
  } catch {
    /* already gone */
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  kill(child, "SIGTERM");
  const timer = setTimeout(() => kill(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs `node args…` and resolves once its output matches `ready`. */
export function startServer(args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child, exited);
      reject(new Error(`${args.join(" ")} did not report ready within ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    let done = false;
    const onData = (chunk: Buffer) => {
      // Keep only the tail: a server that logs per client must not fill the harness's memory.
      out = (out + chunk.toString()).slice(-20_000);
      const m = ready.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ pid: child.pid!, match: m, output: () => out, exited, stop: (graceMs) => stopChild(child, exited, graceMs) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`${args.join(" ")} exited with ${code} before it was ready:\n${out.slice(-2000)}`));
    });
  });
}

export interface Child<In, Out> {
  pid: number;
  child: ChildProcess;
  send(m: In): void;
  /** Resolves with the next message satisfying `pick`; rejects on a `fatal` message, exit or timeout. */
  next<T extends Out>(what: string, pick: (m: Out) => m is T, timeoutMs: number): Promise<T>;
  on(fn: (m: Out) => void): void;
  stop(): Promise<void>;
}

/** Forks a TypeScript module of the harness with IPC (advanced serialisation: typed arrays pass as they are). */
export function forkChild<In, Out extends { type: string }>(module: string, execArgv: string[] = []): Child<In, Out> {
  const child = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx", ...execArgv],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const listeners: ((m: Out) => void)[] = [];
  child.on("message", (m: Out) => {
    for (const l of [...listeners]) l(m);
  });
  return {
    pid: child.pid!,
    child,
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    on: (fn) => listeners.push(fn),
    next(what, pick, timeoutMs) {
      return new Promise((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(l), 1);
          child.off("exit", onExit);
        };
        const l = (m: Out) => {
          if (pick(m)) {
            cleanup();
            resolve(m);
          } else if (m.type === "fatal") {
            cleanup();
            reject(new Error(`${module}: ${(m as unknown as { message: string }).message}`));
          }
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`${module} exited (${code}) while waiting for ${what}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${module}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.push(l);
        child.once("exit", onExit);
      });
    },
    stop: () => stopChild(child, exited),
  };
}
