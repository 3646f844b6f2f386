/**
 * A private MariaDB server for a test that needs server settings the machine's server does not have
 * (innodb_autoinc_lock_mode can only be set at start), or that kills and restarts its server (the fault
 * suite): Debian's mariadbd on a fresh data directory, a free port and temporary storage, stopped
 * (SIGTERM, then SIGKILL) at the end.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { IN_CI } from "./databases.ts";
import { freePort } from "./prometheus.ts";
import { promisify } from "node:util";

export const MARIADBD_BIN = process.env.NOMNOM_TEST_MARIADBD ?? "/usr/sbin/mariadbd";
export const MARIADB_INSTALL_DB_BIN = process.env.NOMNOM_TEST_MARIADB_INSTALL_DB ?? "/usr/bin/mariadb-install-db";

/** Why private-server tests are skipped here, or undefined to run them. Never skips in CI. */
export function privateMariadbSkipReason(): string | undefined {
  if (IN_CI) return undefined;
  const missing = [MARIADBD_BIN, MARIADB_INSTALL_DB_BIN].filter((b) => !existsSync(b));
  return missing.length > 0 ? `${missing.join(", ")} not installed (Debian package mariadb-server); skipped outside CI` : undefined;
}

export interface PrivateMariadb {
  /** The server's URL without a database, for createTestDatabase("mariadb", { server }). */
  url: string;
  port: number;
  /** Kills the server at once (SIGKILL, as a crash would) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function reachable(url: string, until: number, alive: () => boolean, errorLog: string): Promise<void> {
  for (;;) {
    try {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
      await conn.end();
      return;
    } catch (e) {
      if (!alive() || Date.now() > until) {
        const log = existsSync(errorLog) ? readFileSync(errorLog, "utf8").slice(-2000) : "";
        throw new Error(`private MariaDB did not start (${(e as Error).message}):\n${log}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startPrivateMariadb(options: string[] = []): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), "nomnom-mariadb-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  // mariadbd refuses to run as root unless told to; as another user it runs as that user.
  const user = asRoot ? ["--user=root"] : [];
  await promisify(execFile)(MARIADB_INSTALL_DB_BIN, ["--no-defaults", `--datadir=${data}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...user]).catch((e: Error & { stderr?: string }) => {
    throw new Error(`mariadb-install-db failed: ${e.message}\n${e.stderr ?? ""}`);
  });
  const port = await freePort();
  const errorLog = join(dir, "error.log");
  const args = [
    "--no-defaults",
    `--datadir=${data}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--socket=${join(dir, "sock")}`,
    `--pid-file=${join(dir, "pid")}`,
    `--log-error=${errorLog}`,
    "--skip-log-bin",
    "--innodb-buffer-pool-size=64M",
    ...user,
    ...options,
  ];
  const url = `mysql://root@127.0.0.1:${port}/`;

  let child: ChildProcess;
  let exited: Promise<void>;
  const launch = () => {
    child = spawn(MARIADBD_BIN, args, { stdio: "ignore" });
    exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const halt = async (signal: NodeJS.Signals) => {
    if (!running()) return;
    child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const stop = async () => {
    await halt("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };

  launch();
  try {
    await reachable(url, Date.now() + 30_000, running, errorLog);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    port,
    async restart() {
      await halt("SIGKILL");
      launch();
      await reachable(url, Date.now() + 60_000, running, errorLog);
    },
    stop,
  };
}
