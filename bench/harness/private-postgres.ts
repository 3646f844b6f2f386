/**
 * A private PostgreSQL server with `wal_level = logical`, for what the machine's server cannot do
 * without a restart: logical replication (the bench's replication anchor, the `wal` doorbell's tests).
 * initdb on a fresh temporary directory, pg_ctl on a free port (listening on 127.0.0.1 and a socket in
 * that directory), stopped and removed at the end. As root it runs as the `postgres` user, since
 * PostgreSQL refuses to run as root.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The directory of initdb and pg_ctl: NOMNOM_PG_BINDIR, or the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string | null {
  if (process.env.NOMNOM_PG_BINDIR) return process.env.NOMNOM_PG_BINDIR;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, "bin") : null;
}

/** Why a private server cannot be started here, or null. */
export function privatePostgresUnavailable(): string | null {
  const bin = postgresBinDir();
  if (!bin) return "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set NOMNOM_PG_BINDIR";
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    } catch {
      return "running as root and there is no postgres user to run the server as";
    }
  }
  return null;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts one; `settings` are extra `-c name=value` server settings. */
export async function startPrivatePostgres(settings: Record<string, string | number> = {}): Promise<PrivatePostgres> {
  const why = privatePostgresUnavailable();
  if (why) throw new Error(why);
  const bin = postgresBinDir()!;
  const dir = mkdtempSync(join(tmpdir(), "nomnom-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) } : {};
  if (asRoot) chownSync(dir, ids.uid!, ids.gid!);
  const as = { ...ids, cwd: dir, env: { ...process.env, LC_ALL: "C.UTF-8" } };
  await run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"], as).catch((e: Error & { stderr?: string }) => {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${e.message}\n${e.stderr ?? ""}`);
  });
  const port = await freePort();
  const all: Record<string, string | number> = { wal_level: "logical", max_replication_slots: 20, max_wal_senders: 20, listen_addresses: "127.0.0.1", port, unix_socket_directories: dir, ...settings };
  const options = Object.entries(all)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(" ");
  const log = join(dir, "server.log");
  const stop = async () => {
    await run(join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"], as).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"], as);
  } catch (e) {
    const text = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
    await stop();
    throw new Error(`the private PostgreSQL did not start (${(e as Error).message}):\n${text}`, { cause: e });
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}
