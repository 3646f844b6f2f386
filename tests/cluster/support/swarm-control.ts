/** The test's side of swarm.ts: WebSocket clients spread over child processes, and what they received. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Verdict {
  clients: number;
  /** Clients that hold every committed row. */
  complete: number;
  /** Committed rows a client does not hold, summed over clients. */
  missing: number;
  /** Rows a client received more than once, summed. */
  duplicates: number;
  /** Rows received that were never committed. */
  unknown: number;
  regressions: number;
  reconnects: number;
  errors: Record<string, number>;
}

const SCRIPT = fileURLToPath(new URL("./swarm.ts", import.meta.url));

function ask<T>(child: ChildProcess, message: unknown, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m[key] as T);
    };
    const onExit = (code: number | null) => reject(new Error(`a client process exited (${code}) before answering ${key}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message as object);
  });
}

export class Swarm {
  private constructor(private readonly children: ChildProcess[]) {}

  /** `clients` spread over `processes` children, each subscribed to `entity` after `from`; resolves once all are subscribed. */
  static async start(o: { url: string; entity: string; clients: number; processes: number; from: bigint }): Promise<Swarm> {
    const children = Array.from({ length: o.processes }, () => fork(SCRIPT, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    const swarm = new Swarm(children);
    try {
      await Promise.all(
        children.map((c, i) => {
          const clients = Math.floor(o.clients / o.processes) + (i < o.clients % o.processes ? 1 : 0);
          return ask(c, { cmd: "start", url: o.url, entity: o.entity, clients, from: o.from.toString() }, "ready");
        }),
      );
    } catch (e) {
      swarm.kill();
      throw e;
    }
    return swarm;
  }

  /** The lowest last id any client holds, and how many connections are open. */
  async progress(): Promise<{ lowest: bigint; reconnects: number; open: number }> {
    const all = await Promise.all(this.children.map((c) => ask<{ lowest: string; reconnects: number; open: number }>(c, { cmd: "progress" }, "progress")));
    return {
      lowest: all.reduce((low, p) => (BigInt(p.lowest) < low ? BigInt(p.lowest) : low), BigInt(all[0]!.lowest)),
      reconnects: all.reduce((n, p) => n + p.reconnects, 0),
      open: all.reduce((n, p) => n + p.open, 0),
    };
  }

  /** Waits until every client holds `id` (or the time is up); the lowest id held then. */
  async until(id: bigint, timeoutMs: number): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { lowest } = await this.progress();
      if (lowest >= id || Date.now() > deadline) return lowest;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Each client against the committed ids; the clients are closed and their processes end. */
  async verify(ids: bigint[]): Promise<Verdict> {
    const all = await Promise.all(this.children.map((c) => ask<Verdict>(c, { cmd: "verify", ids: ids.map(String) }, "verdict")));
    const errors: Record<string, number> = {};
    for (const v of all) for (const [k, n] of Object.entries(v.errors)) errors[k] = (errors[k] ?? 0) + n;
    const sum = (k: keyof Omit<Verdict, "errors">) => all.reduce((n, v) => n + v[k], 0);
    return { clients: sum("clients"), complete: sum("complete"), missing: sum("missing"), duplicates: sum("duplicates"), unknown: sum("unknown"), regressions: sum("regressions"), reconnects: sum("reconnects"), errors };
  }

  kill(): void {
    for (const c of this.children) if (c.exitCode === null) c.kill("SIGKILL");
  }
}
