/**
 * A private MariaDB server for a test that needs server settings the machine's server does not have
 * (innodb_autoinc_lock_mode can only be set at start): Debian's mariadbd on a fresh data directory, a
 * free port and temporary storage, stopped (SIGTERM, then SIGKILL) at the end.
 */
import { execFile, spawn } from "node:child_process";
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
  stop(): Promise<void>;
}

export async function startPrivateMariadb(options: string[]): Promise<PrivateMariadb> {
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
  const child = spawn(
    MARIADBD_BIN,
    [
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
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `mysql://root@127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
      await conn.end();
      return { url, stop };
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = existsSync(errorLog) ? readFileSync(errorLog, "utf8").slice(-2000) : "";
        await stop();
        throw new Error(`private MariaDB did not start (${(e as Error).message}):\n${log}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
