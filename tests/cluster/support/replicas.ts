/**
 * Replicas of the backend as separate processes, started with the CLI as a deployment would start
 * them (`nomnom-live serve --config …`), each on a free port, sharing one database and, with a bus, one
 * cluster. `kill()` is `kill -9` of the replica's process group.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HealthResponse } from "../../../contract/rest.ts";
import { IN_CI } from "../../helpers/databases.ts";
import { spawnBackend, type BackendProcess } from "../../helpers/process.ts";

export const NATS_URL = process.env.NOMNOM_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

/** Why tests on the machine's NATS are skipped here, or undefined to run them. Never skips in CI. */
export async function natsSkipReason(): Promise<string | undefined> {
  if (IN_CI) return undefined;
  const { hostname, port } = new URL(NATS_URL);
  const up = await new Promise<boolean>((resolve) => {
    const s = createConnection({ host: hostname, port: Number(port || 4222) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
  return up ? undefined : `NATS not reachable at ${NATS_URL}; skipped outside CI`;
}

export interface ReplicaOptions {
  name: string;
  databaseUrl: string;
  /** `cluster.bus`; absent: the replica polls on its own. */
  bus?: string;
  /** `cluster.name`: unique per test, so its subjects and locks meet no other test's. */
  cluster: string;
  /** The `entities:` block of the YAML (indented list). */
  entities: string;
  intervalMs?: number;
  extraYaml?: string;
}

export interface Replica {
  name: string;
  url: string;
  process: BackendProcess;
  health(): Promise<HealthResponse>;
  /** kill -9 of the replica's process group. */
  kill(): void;
  stop(): Promise<void>;
}

export async function startReplica(o: ReplicaOptions): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), `nomnom-${o.name}-`));
  const file = join(dir, "nomnom-live.yaml");
  writeFileSync(
    file,
    [
      `database: { url: "${o.databaseUrl}" }`,
      `polling: { interval_ms: ${o.intervalMs ?? 200}, wake: none }`,
      `server: { host: 127.0.0.1, port: 0, cors_origins: ["*"], max_connections_per_ip: 100000, rate_limit_per_minute: 1000000 }`,
      `cluster: { name: ${o.cluster}, replica: ${o.name}${o.bus ? `, bus: "${o.bus}"` : ""} }`,
      `entities:`,
      o.entities,
      o.extraYaml ?? "",
    ].join("\n"),
  );
  const proc = await spawnBackend(process.execPath, ["bin/nomnom-live.js", "serve", "--config", file], { NOMNOM_LOG: process.env.NOMNOM_LOG ?? "info" });
  return {
    name: o.name,
    url: proc.url,
    process: proc,
    async health() {
      const res = await fetch(`${proc.url}/api/health`);
      return (await res.json()) as HealthResponse;
    },
    kill() {
      try {
        process.kill(-proc.child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The replica (among those still answering) that polls `entity`, waiting up to `ms` for one; with the time it took. */
export async function pollerOf(replicas: Replica[], entity: string, ms: number): Promise<{ replica: Replica; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    for (const r of replicas) {
      const h = await r.health().catch(() => null);
      if (h?.entities[entity]?.role === "poller") return { replica: r, afterMs: Date.now() - started };
    }
    if (Date.now() - started > ms) throw new Error(`no replica polls ${entity} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
