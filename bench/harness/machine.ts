/** What the figures were measured on. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import postgres from "postgres";
import type { BenchResults } from "./results.ts";
import { ROOT } from "./spawn.ts";

export async function machineInfo(dbUrl: string): Promise<BenchResults["machine"]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  let pg: string;
  try {
    const [r] = await sql<{ v: string }[]>`SELECT current_setting('server_version') AS v`;
    pg = r!.v;
  } finally {
    await sql.end({ timeout: 2 });
  }
  let distro = os.type();
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? distro;
  } catch {
    /* not Linux */
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    ram_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: pg,
    os: distro,
    kernel: os.release(),
    loadavg_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function gitCommit(): string | null {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return null;
  }
}
