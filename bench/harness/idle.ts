/**
 * Idle queries: a nomnom-live server in one `polling.wake` setting, with a client and no writes, and
 * the queries it sends per second as the proxy counts them — against one poll per interval, what it
 * sent before adaptive polling and doorbells (which must not raise it).
 */
import postgres from "postgres";
import { startQueryCounter, type QueryCounter } from "./pg-proxy.ts";
import type { IdleResult, TargetKey } from "./results.ts";
import { tableSql, withSearchPath } from "./schema.ts";
import { TARGETS, type Started } from "./targets.ts";

/** After start, discovery, counts and the doorbell's setup are done by then. */
const WARM_UP_MS = 1500;

export async function runIdle(o: { dbUrl: string; schema: string; tmpDir: string; target: TargetKey; intervalMs: number; durationMs: number }): Promise<IdleResult> {
  const def = TARGETS[o.target];
  const base: IdleResult = { target: o.target, intervalMs: o.intervalMs, duration_s: o.durationMs / 1000, queries: 0, queries_per_s: 0, interval_per_s: Math.round((1000 / o.intervalMs) * 10) / 10, status: "failed" };
  const admin = postgres(o.dbUrl, { max: 1, onnotice: () => {} });
  let proxy: QueryCounter | null = null;
  let started: Started | null = null;
  try {
    await admin.unsafe(tableSql(o.schema) + (def.setupSql?.(o.schema) ?? ""));
    const url = new URL(o.dbUrl);
    proxy = await startQueryCounter({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(o.dbUrl);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const workload = { rate: 0, clients: 0, intervalMs: o.intervalMs, durationMs: o.durationMs, writers: 0, tickMs: 0, maxRowsPerTx: 0 };
    started = await def.start({ schema: o.schema, workload, serverDbUrl: withSearchPath(proxied.toString(), o.schema), directDbUrl: withSearchPath(o.dbUrl, o.schema), admin, tmpDir: o.tmpDir });
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const q0 = proxy.queries;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.durationMs));
    const queries = proxy.queries - q0;
    const s = (performance.now() - t0) / 1000;
    return { ...base, status: "ok", duration_s: Math.round(s * 10) / 10, queries, queries_per_s: Math.round((queries / s) * 10) / 10 };
  } catch (e) {
    return { ...base, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await proxy?.close();
    await started?.server?.stop(300);
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${o.schema} CASCADE; ${def.teardownSql?.(o.schema) ?? ""}`).catch(() => {});
    await admin.end({ timeout: 2 });
  }
}
