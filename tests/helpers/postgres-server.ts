/**
 * A private PostgreSQL server for a test that stops and restarts its database (the machine's server is
 * shared): initdb on a fresh data directory (trust authentication), pg_ctl on a free port and temporary
 * storage, stopped at the end. As root, the server runs as the `postgres` user (it refuses root).
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { IN_CI } from "./databases.ts";
import { freePort } from "./prometheus.ts";

const BIN_DIR = process.env.NOMNOM_TEST_PG_BIN ?? ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"].find((d) => existsSync(join(d, "initdb"))) ?? "/usr/lib/postgresql/15/bin";
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

/** Why private-server tests are skipped here, or undefined to run them. Never skips in CI. */
export function privatePostgresSkipReason(): string | undefined {
  if (IN_CI) return undefined;
  return existsSync(join(BIN_DIR, "initdb")) ? undefined : `${BIN_DIR}/initdb not installed (Debian package postgresql); skipped outside CI`;
}

export interface PrivatePostgres {
  /** The server's URL (database `postgres`, user `postgres`). */
  url: string;
  port: number;
  /** Stops the server at once (as a crash would) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function pg(tool: string, args: string[]): Promise<void> {
  const bin = join(BIN_DIR, tool);
  const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  await run(command, argv, { timeout: 60_000 }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`${tool} ${args.join(" ")} failed: ${e.message}\n${e.stderr ?? ""}`);
  });
}

async function reachable(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "nomnom-postgres-"));
  if (asRoot) chownSync(dir, Number((await run("id", ["-u", "postgres"])).stdout.trim()), Number((await run("id", ["-g", "postgres"])).stdout.trim()));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const user = asRoot ? "postgres" : userInfo().username;
  await pg("initdb", ["-D", data, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=50`;
  const start = () => pg("pg_ctl", ["-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"]);
  const url = `postgres://${user}@127.0.0.1:${port}/postgres`;
  try {
    await start();
    await reachable(url, 30_000);
  } catch (e) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`private PostgreSQL did not start (${(e as Error).message}):\n${tail}`, { cause: e });
  }
  return {
    url,
    port,
    async restart() {
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      await start();
      await reachable(url, 30_000);
    },
    async stop() {
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
