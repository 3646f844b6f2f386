/**
 * HAProxy in front of replicas the bench or a test started: the shipped deploy/haproxy.cfg — its
 * timeouts, balance, health checks — with local addresses in place of Docker's (no Docker DNS here),
 * run in the foreground by Debian's `haproxy` on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./spawn.ts";

export interface Haproxy {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Why HAProxy cannot run here, or null. */
export function haproxyUnavailable(): string | null {
  const found = spawnSync("haproxy", ["-v"], { encoding: "utf8" });
  return found.status === 0 ? null : "haproxy is not installed (apt-get install haproxy)";
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** deploy/haproxy.cfg with this machine's addresses: listening on `port`, balancing over `servers`. */
export function haproxyConfig(port: number, servers: { name: string; url: string }[]): string {
  let cfg = readFileSync(join(ROOT, "deploy/haproxy.cfg"), "utf8");
  cfg = cfg.replace(/^resolvers docker\n(?:[ \t]+.*\n)*/m, "");
  cfg = cfg.replace(/ init-addr \S+/, "").replace(/ resolvers docker/, "");
  cfg = cfg.replace(/^(\s*)bind :8080$/m, `$1bind 127.0.0.1:${port}`);
  cfg = cfg.replace(/^\s*server .*\n/gm, "");
  const lines = servers.map((s) => `  server ${s.name} ${new URL(s.url).host} check`).join("\n");
  if (!/^\s*bind 127\.0\.0\.1:/m.test(cfg) || /resolvers/.test(cfg)) throw new Error("deploy/haproxy.cfg changed shape: update bench/harness/haproxy.ts");
  return `${cfg.trimEnd()}\n${lines}\n`;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export async function startHaproxy(servers: { name: string; url: string }[]): Promise<Haproxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "nomnom-haproxy-"));
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, haproxyConfig(port, servers));
  const check = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`haproxy refuses the configuration:\n${check.stdout}${check.stderr}`);
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const started = Date.now();
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() - started > 10_000) throw new Error(`haproxy did not start:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
